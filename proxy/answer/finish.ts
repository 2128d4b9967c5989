import type { AnswerJob } from './answer-job.ts';
import { deliverCached } from './deliver-cached.ts';
import { deliverError } from './deliver-error.ts';
import { deliverJson } from './deliver-json.ts';
import type { AnsweredRequest, AnswerOutcome } from './outcome.ts';
import { recordAnswer } from './record-answer.ts';
import { relayStream } from './relay-stream.ts';

/**
 * The one way out for every answer — JSON, SSE, cached or error: write it with its receipt, then
 * count it (metrics and the log line), tell the observers, store it in the exact cache when it
 * may be reused, and settle the request's budget reservation against what was really spent.
 */
export async function finish(job: AnswerJob, outcome: AnswerOutcome): Promise<void> {
  // Taken first: if anything below fails, the error answer that follows must not settle twice.
  const reservation = job.reservation;
  job.reservation = undefined;
  const answer = await deliver(job, outcome);
  recordAnswer(answer);
  notifyObservers(answer);
  await storeInCache(job, outcome);
  const route = job.resolution?.route?.config;
  if (route !== undefined && reservation !== undefined)
    await job.ctx.budget.settle(route, reservation, answer.spentUSD);
}

function deliver(
  job: AnswerJob,
  outcome: AnswerOutcome,
): AnsweredRequest | Promise<AnsweredRequest> {
  switch (outcome.kind) {
    case 'completion':
    case 'embeddings':
      return deliverJson(job, outcome);
    case 'stream':
      return relayStream(job, outcome);
    case 'cached':
      return deliverCached(job, outcome);
    case 'error':
      return deliverError(job, outcome);
  }
}

function notifyObservers(answer: AnsweredRequest): void {
  for (const observer of answer.job.ctx.observers) {
    try {
      observer.answered(answer);
    } catch (error) {
      answer.job.ctx.log({
        time: new Date(answer.job.ctx.wallNow()).toISOString(),
        level: 'error',
        msg: 'answer observer failed',
        requestId: answer.job.requestId,
        error: String((error as Error)?.stack ?? error),
      });
    }
  }
}

/** Complete answers to cacheable requests, unless the quality gate found them wanting. */
async function storeInCache(job: AnswerJob, outcome: AnswerOutcome): Promise<void> {
  if (outcome.kind !== 'completion' || job.cacheKey === undefined) return;
  const ttl = job.resolution?.route?.config.cache?.exact?.ttlSeconds;
  if (ttl === undefined || outcome.quality === 'failed') return;
  const { run } = outcome;
  await job.ctx.cache.store(
    job.cacheKey,
    { completion: run.value.completion, target: run.winner.target.key, tier: run.winner.tier },
    ttl,
  );
}
