import { costUSD } from '../../core/cost/cost.ts';
import type { AnswerJob } from './answer-job.ts';
import { answeredRequest, receiptOf, timingOf } from './answered.ts';
import type { AnsweredRequest, AnswerOutcome } from './outcome.ts';
import { receiptHeaders } from './receipt.ts';

type JsonOutcome = Extract<AnswerOutcome, { kind: 'completion' | 'embeddings' }>;

/**
 * Writes a whole answer a target produced — a chat completion or an embeddings response — as
 * JSON with its receipt, and credits the target's health with the success.
 */
export function deliverJson(job: AnswerJob, outcome: JsonOutcome): AnsweredRequest {
  const { ctx } = job;
  const { run } = outcome;
  const { usage } = run.value;
  const target = run.winner.target;
  const cost = costUSD(usage, target.model.pricing);
  const timing = timingOf(job, run.attempts, undefined);
  const payload = JSON.stringify(
    outcome.kind === 'completion' ? outcome.run.value.completion : outcome.run.value.response,
  );
  const headers = receiptHeaders(receiptOf(job, run.winner, run.attempts, cost, timing.overheadMs));
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(payload));
  if (outcome.kind === 'completion' && outcome.quality !== undefined)
    headers['x-switchyard-quality'] = outcome.quality;
  job.res.writeHead(200, headers);
  job.res.end(payload);
  const upstreamMs =
    outcome.kind === 'completion' ? outcome.run.value.upstreamMs : timing.latencyMs;
  ctx.health.recordSuccess(target, upstreamMs, undefined);
  ctx.health.attemptEnded(target, usage.inputTokens + usage.outputTokens);
  const discardedUSD = outcome.kind === 'completion' ? outcome.discardedUSD : 0;
  return answeredRequest(
    job,
    outcome,
    {
      status: 200,
      winner: run.winner,
      attempts: run.attempts,
      usage,
      costUSD: cost,
      spentUSD: cost + discardedUSD,
      ttftMs: undefined,
      upstreamRequestId: run.value.upstreamRequestId,
      error: undefined,
      streamFailure: undefined,
    },
    timing,
  );
}
