// Where the request path meets the tracer: each helper is one call in a handler and does nothing
// (one property check) when the proxy does not trace.
import type { PlannedAttempt } from '../../core/routing/plan.ts';
import type { AnswerJob } from '../answer/answer-job.ts';
import type { AttemptFn, AttemptResult } from '../execute/attempt.ts';
import type { RequestTrace } from './request-trace.ts';

/** Starts the request's server span, once its body is parsed (its model named). */
export function startJobTrace(
  job: AnswerJob,
  operation: 'chat' | 'embeddings',
  requestModel: string,
): void {
  const tracer = job.ctx.tracer;
  if (tracer === undefined) return;
  const request = operation === 'chat' ? job.request : undefined;
  job.trace = tracer.startRequest({
    operation,
    requestModel,
    headers: job.req.headers,
    requestId: job.requestId,
    stream: job.stream,
    startMs: job.receivedAtMs,
    ...numberField('maxTokens', request?.max_completion_tokens ?? request?.max_tokens),
    ...numberField('temperature', request?.temperature),
    ...numberField('topP', request?.top_p),
    ...(request === undefined ? {} : { messages: request.messages }),
  });
}

function numberField<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' ? ({ [key]: value } as Record<K, number>) : {};
}

/** The `cache lookup` span of an exact-cache lookup that began at `startMs`. */
export function traceCacheLookup(job: AnswerJob, startMs: number, hit: boolean): void {
  job.trace?.cacheLookup({
    kind: 'exact',
    result: hit ? 'hit' : 'miss',
    startMs,
    endMs: job.ctx.now(),
  });
}

/** The decision taken since `startMs`: its source on the server span, a `classify` span when the classifier model was asked. */
export function traceClassification(job: AnswerJob, startMs: number): void {
  const trace = job.trace;
  const decision = job.decision;
  if (trace === undefined || decision === undefined) return;
  trace.classified({
    source: decision.classification.source,
    tier: decision.classification.tier,
    rule: decision.classification.rule,
    classifierOutcome: decision.classifier?.outcome,
    startMs,
    endMs: job.ctx.now(),
  });
}

/**
 * An attempt function whose every call is an attempt span, and whose upstream request carries
 * that span's `traceparent`: the target handed on is a copy whose provider headers include it.
 * Without a trace the function is returned as it is.
 */
export function tracedAttempt<T>(
  attempt: AttemptFn<T>,
  trace: RequestTrace | undefined,
  planned: readonly PlannedAttempt[],
  operation: 'chat' | 'embeddings' = 'chat',
): AttemptFn<T> {
  if (trace === undefined) return attempt;
  const tried = new Map<string, number>();
  return async (target, signal) => {
    const count = tried.get(target.key) ?? 0;
    tried.set(target.key, count + 1);
    const span = trace.startAttempt({
      operation,
      provider: target.provider.name,
      api: target.provider.api,
      model: target.model.name,
      upstreamModel: target.model.upstreamName,
      tier: planned.find((p) => p.target.key === target.key)?.tier ?? 'direct',
      baseURL: target.provider.baseURL,
      retry: count > 0,
    });
    const withHeaders = {
      ...target,
      provider: { ...target.provider, headers: { ...target.provider.headers, ...span.headers } },
    };
    let result: AttemptResult<T> | undefined;
    try {
      result = await attempt(withHeaders, signal);
      return result;
    } finally {
      span.end(
        result === undefined
          ? { outcome: 'aborted' }
          : result.ok
            ? { outcome: 'ok', responseModel: target.model.upstreamName }
            : { outcome: result.failure.kind, status: result.failure.status },
      );
    }
  };
}
