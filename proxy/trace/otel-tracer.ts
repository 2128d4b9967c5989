// The RequestTracer on the OpenTelemetry SDK: spans batched and exported over OTLP/HTTP
// (protobuf). Loaded only through start-tracing.ts, only when tracing is on. Nothing is registered
// globally: each proxy owns its provider, so two proxies in one process keep their own spans.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type { IncomingHttpHeaders } from 'node:http';
import {
  attemptEndAttributes,
  genAiProviderName,
  requestAttributes,
  responseAttributes,
  serverAttributes,
} from './gen-ai-attributes.ts';
import type {
  AttemptStart,
  AttemptTrace,
  RequestEnd,
  RequestStart,
  RequestTrace,
  RequestTracer,
  TraceCacheLookup,
  TraceClassification,
  TracingOptions,
} from './request-trace.ts';

const propagator = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Options for tests: another exporter (in memory) and no batching delay. */
export interface OtelTracerInternals {
  readonly exporter?: SpanExporter;
}

class OtelRequestTrace implements RequestTrace {
  readonly traceId: string;
  readonly #span: Span;
  readonly #context: Context;
  readonly #tracer: Tracer;
  readonly #recordContent: boolean;
  #ended = false;

  constructor(tracer: Tracer, start: RequestStart, recordContent: boolean) {
    this.#tracer = tracer;
    this.#recordContent = recordContent;
    const parent = propagator.extract(ROOT_CONTEXT, start.headers, headerGetter);
    this.#span = tracer.startSpan(
      `${start.operation} ${start.requestModel}`,
      {
        kind: SpanKind.SERVER,
        attributes: requestAttributes(start, recordContent),
        ...(start.startMs === undefined ? {} : { startTime: start.startMs }),
      },
      parent,
    );
    this.#context = trace.setSpan(parent, this.#span);
    this.traceId = this.#span.isRecording() ? this.#span.spanContext().traceId : '';
  }

  classified(c: TraceClassification): void {
    if (!this.#span.isRecording()) return;
    this.#span.setAttribute('switchyard.classification.source', c.source);
    if (c.rule !== undefined) this.#span.setAttribute('switchyard.rule', c.rule);
    if (c.classifierOutcome === undefined) return;
    this.#tracer
      .startSpan(
        'classify',
        {
          attributes: {
            'switchyard.classification.source': c.source,
            'switchyard.classifier.outcome': c.classifierOutcome,
            'switchyard.tier': c.tier,
          },
          startTime: c.startMs,
        },
        this.#context,
      )
      .end(c.endMs);
  }

  cacheLookup(lookup: TraceCacheLookup): void {
    if (!this.#span.isRecording()) return;
    const attributes: Record<string, string | number> = {
      'switchyard.cache.kind': lookup.kind,
      'switchyard.cache.result': lookup.result,
    };
    if (lookup.similarity !== undefined)
      attributes['switchyard.cache.similarity'] = lookup.similarity;
    this.#tracer
      .startSpan('cache lookup', { attributes, startTime: lookup.startMs }, this.#context)
      .end(lookup.endMs);
  }

  startAttempt(attempt: AttemptStart): AttemptTrace {
    const operation = attempt.operation ?? 'chat';
    const span = this.#tracer.startSpan(
      `${operation} ${attempt.upstreamModel}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.provider.name': genAiProviderName(attempt.api),
          'gen_ai.request.model': attempt.upstreamModel,
          'switchyard.provider': attempt.provider,
          'switchyard.model': attempt.model,
          'switchyard.tier': attempt.tier,
          ...serverAttributes(attempt.baseURL),
        },
      },
      this.#context,
    );
    // Only when true: every attribute costs CPU on every span.
    if (attempt.retry === true) span.setAttribute('switchyard.attempt.retry', true);
    if (attempt.hedge === true) span.setAttribute('switchyard.attempt.hedge', true);
    // The provider joins the trace as a child of this attempt (or learns it is not sampled).
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(this.#context, span), headers, headerSetter);
    let ended = false;
    return {
      headers,
      end: (result) => {
        if (ended) return;
        ended = true;
        span.setAttributes(attemptEndAttributes(result));
        if (result.outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    };
  }

  end(result: RequestEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#span.setAttributes(responseAttributes(result, this.#recordContent));
    if (result.status >= 500)
      this.#span.setStatus({ code: SpanStatusCode.ERROR, message: result.errorCode ?? '' });
    this.#span.end();
  }
}

/** Starts an OpenTelemetry tracer exporting to `options.otlpEndpoint`. */
export function createOtelTracer(
  options: TracingOptions,
  internals: OtelTracerInternals = {},
): RequestTracer {
  const exporter =
    internals.exporter ??
    new OTLPTraceExporter({
      url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`,
      timeoutMillis: 2000,
    });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? 'switchyard',
      ...options.resourceAttributes,
    }),
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1),
    }),
    // A collector that is down costs a bounded wait, never a stuck request or shutdown: spans are
    // exported off the request path and dropped after the timeout.
    spanProcessors: [
      new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500, exportTimeoutMillis: 2000 }),
    ],
  });
  const tracer = provider.getTracer('switchyard');
  const recordContent = options.recordContent ?? false;
  return {
    startRequest: (start) => new OtelRequestTrace(tracer, start, recordContent),
    flush: () => provider.forceFlush(),
    // A proxy stopping while its collector is unreachable still stops: the last spans are lost.
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}
