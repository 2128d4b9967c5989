// The proxy's tracing interface: what the request path tells a tracer, in the proxy's own terms.
// It imports nothing from OpenTelemetry, so a proxy with tracing off loads none of it: the
// request path holds `RequestTracer | undefined` and skips every call when there is none.
import type { IncomingHttpHeaders } from 'node:http';

/** Tracing settings (`serve --otlp-endpoint`, the chart's `tracing.*`). */
export interface TracingOptions {
  /** OTLP/HTTP base URL, e.g. `http://otel-collector.monitoring:4318`; spans go to `…/v1/traces`. */
  readonly otlpEndpoint: string;
  /** Share of new traces recorded, 0–1; a client's sampled `traceparent` is always honoured. Default 1. */
  readonly sampleRatio?: number;
  /** Record prompts and answers as `gen_ai.input.messages`/`gen_ai.output.messages`. Default false. */
  readonly recordContent?: boolean;
  /** `service.name` of the spans. Default `switchyard`. */
  readonly serviceName?: string;
  /** Extra resource attributes, e.g. `k8s.pod.name`. */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
}

/** Token counts of an answer, as priced. */
export interface TraceUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly reasoningTokens?: number;
}

/** What is known when a request arrives. */
export interface RequestStart {
  readonly operation: 'chat' | 'embeddings';
  /** The `model` the client sent: a policy alias or `provider/model`. */
  readonly requestModel: string;
  /** The request headers, for the client's W3C `traceparent`/`tracestate`. */
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly stream?: boolean;
  /** `performance.now()` when the request arrived; default now. */
  readonly startMs?: number;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  /** The request's messages; recorded only with `recordContent`. */
  readonly messages?: unknown;
}

/**
 * The routing decision. Its source and rule go on the server span; a `classify` span is added
 * only when the policy's classifier model was asked: rules and defaults take microseconds, and a
 * span for them would cost more than it measures.
 */
export interface TraceClassification {
  /** rule, client, classifier or default. */
  readonly source: string;
  readonly tier: string;
  readonly rule?: string | undefined;
  /** How the classifier call went (answered, timeout, error, …), when it was asked. */
  readonly classifierOutcome?: string | undefined;
  /** `performance.now()` at the start and end of deciding (the classifier call included). */
  readonly startMs: number;
  readonly endMs: number;
}

/** One cache lookup, for the `cache lookup` span. */
export interface TraceCacheLookup {
  readonly kind: 'exact' | 'semantic';
  readonly result: 'hit' | 'miss' | 'error' | 'refused';
  readonly startMs: number;
  readonly endMs: number;
  readonly similarity?: number;
}

/** One upstream attempt, as it starts. */
export interface AttemptStart {
  /** Default chat. */
  readonly operation?: 'chat' | 'embeddings';
  /** The ModelProvider's name (`switchyard.provider`). */
  readonly provider: string;
  /** Its wire protocol: openai, anthropic or gemini. */
  readonly api: string;
  /** The model's name in the config (`switchyard.model`). */
  readonly model: string;
  /** The name sent upstream (`gen_ai.request.model`). */
  readonly upstreamModel: string;
  readonly tier: string;
  /** The provider's base URL, for `server.address`/`server.port`. */
  readonly baseURL: string;
  readonly retry?: boolean;
  readonly hedge?: boolean;
}

/** How an attempt ended. */
export interface AttemptEnd {
  /** ok, or the failure kind (timeout, server_error, rate_limited, …). */
  readonly outcome: string;
  readonly status?: number | undefined;
  readonly responseModel?: string | undefined;
  readonly responseId?: string | undefined;
  readonly usage?: TraceUsage | undefined;
  readonly finishReasons?: readonly string[] | undefined;
}

/** A traced upstream attempt. */
export interface AttemptTrace {
  /** Headers to add to the upstream request (`traceparent`, `tracestate`): the provider joins the trace. */
  readonly headers: Readonly<Record<string, string>>;
  end(result: AttemptEnd): void;
}

/** How a request ended. */
export interface RequestEnd {
  readonly status: number;
  /** The policy alias it resolved to. */
  readonly route?: string | undefined;
  readonly tier?: string | undefined;
  /** The answering target. */
  readonly provider?: string | undefined;
  readonly api?: string | undefined;
  readonly model?: string | undefined;
  readonly responseModel?: string | undefined;
  readonly responseId?: string | undefined;
  readonly usage?: TraceUsage | undefined;
  readonly costUSD?: number | undefined;
  readonly cache?: string | undefined;
  readonly finishReasons?: readonly string[] | undefined;
  /** The error code (`ALL_TARGETS_FAILED`, …) and whose fault, when it failed. */
  readonly errorCode?: string | undefined;
  readonly errorOrigin?: string | undefined;
  /** The answer's text; recorded only with `recordContent`. */
  readonly output?: unknown;
}

/** One traced request: the server span and its children. */
export interface RequestTrace {
  /** The trace id (32 hex digits), for the log line; empty when the request is not sampled. */
  readonly traceId: string;
  classified(classification: TraceClassification): void;
  cacheLookup(lookup: TraceCacheLookup): void;
  startAttempt(attempt: AttemptStart): AttemptTrace;
  /** Ends the server span; later calls are ignored. */
  end(result: RequestEnd): void;
}

/** A tracer the request path calls; undefined in the proxy when tracing is off. */
export interface RequestTracer {
  startRequest(start: RequestStart): RequestTrace;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}
