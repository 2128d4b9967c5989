// Ends each request's server span once its answer is written, with what the answer wing knows:
// status, route, tier, target, tokens, cost, cache, finish reasons, and whose fault a failure was.
import type { AnsweredRequest, AnswerObserver } from '../answer/outcome.ts';
import type { RequestEnd } from './request-trace.ts';

function finishReasons(answer: AnsweredRequest): string[] | undefined {
  if (answer.outcome.kind !== 'completion') return undefined;
  return answer.outcome.run.value.completion.choices.map((c) => c.finish_reason ?? 'unknown');
}

function output(answer: AnsweredRequest): unknown {
  if (answer.outcome.kind === 'completion')
    return answer.outcome.run.value.completion.choices.map((c) => c.message);
  return undefined;
}

/** The RequestEnd of an answered request. */
export function requestEndOf(answer: AnsweredRequest): RequestEnd {
  const target = answer.winner?.target;
  const ok = answer.error === undefined;
  return {
    status: answer.status,
    route: answer.job.resolution?.routeName,
    tier: ok ? answer.tier : undefined,
    provider: target?.provider.name,
    api: target?.provider.api,
    model: target?.model.name,
    responseModel: target?.model.upstreamName,
    responseId: answer.upstreamRequestId,
    usage: answer.usage,
    costUSD: ok ? answer.costUSD : undefined,
    cache: answer.cache,
    finishReasons: finishReasons(answer),
    errorCode: answer.error?.code,
    errorOrigin: answer.error?.origin,
    output: output(answer),
  };
}

/** The observer that closes traces; registered only when the proxy traces. */
export const tracingObserver: AnswerObserver = {
  answered(answer) {
    answer.job.trace?.end(requestEndOf(answer));
  },
};
