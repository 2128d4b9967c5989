import type { Usage } from '../../core/cost/usage.ts';
import type { PlannedAttempt } from '../../core/routing/plan.ts';
import type { ProxyError } from '../errors/proxy-error.ts';
import type { AttemptRecord } from '../execute/attempt.ts';
import type { AnswerJob } from './answer-job.ts';
import type { AnsweredRequest, AnswerOutcome } from './outcome.ts';
import type { Receipt } from './receipt.ts';

/** What a delivery knows about the answer it wrote. */
export interface Delivered {
  status: number;
  winner: PlannedAttempt | undefined;
  attempts: readonly AttemptRecord[];
  usage: Usage | undefined;
  costUSD: number;
  spentUSD: number;
  ttftMs: number | undefined;
  upstreamRequestId: string | undefined;
  error: ProxyError | undefined;
  streamFailure: string | undefined;
}

/** What a delivery knows when no target answered: a cache hit or a failure. */
export function deliveredWithoutUpstream(status: number, error: ProxyError | undefined): Delivered {
  return {
    status,
    winner: undefined,
    attempts: [],
    usage: undefined,
    costUSD: 0,
    spentUSD: 0,
    ttftMs: undefined,
    upstreamRequestId: undefined,
    error,
    streamFailure: undefined,
  };
}

/**
 * The answered request, built in one place so every kind of answer has the same shape (and the
 * same hidden class: one object literal with every field).
 */
export function answeredRequest(
  job: AnswerJob,
  outcome: AnswerOutcome,
  delivered: Delivered,
  timing: Timing,
): AnsweredRequest {
  const cachedHit = outcome.kind === 'cached' ? outcome.hit : undefined;
  const [hitProvider = 'none', hitModel = 'none'] = cachedHit?.target.split('/') ?? [];
  const target = delivered.winner?.target;
  return {
    job,
    outcome,
    status: delivered.status,
    winner: delivered.winner,
    provider: target?.provider.name ?? hitProvider,
    model: target?.model.name ?? hitModel,
    tier: delivered.winner?.tier ?? cachedHit?.tier ?? 'none',
    attempts: delivered.attempts,
    usage: delivered.usage,
    costUSD: delivered.costUSD,
    spentUSD: delivered.spentUSD,
    latencyMs: timing.latencyMs,
    overheadMs: timing.overheadMs,
    ttftMs: delivered.ttftMs,
    cache: cacheState(job, outcome),
    upstreamRequestId: delivered.upstreamRequestId,
    error: delivered.error,
    streamFailure: delivered.streamFailure,
  };
}

/** Latency so far and the share of it spent in the proxy rather than waiting on providers. */
export interface Timing {
  latencyMs: number;
  overheadMs: number;
}

/**
 * Timing of a request now: the receipt needs it before the answer is written. For a stream the
 * overhead is measured to its first token (after that the pace is the provider's).
 */
export function timingOf(
  job: AnswerJob,
  attempts: readonly AttemptRecord[],
  ttftMs: number | undefined,
): Timing {
  const latencyMs = job.ctx.now() - job.receivedAtMs;
  let upstreamMs = 0;
  for (const a of attempts) upstreamMs += a.durationMs;
  return { latencyMs, overheadMs: Math.max(0, (ttftMs ?? latencyMs) - upstreamMs) };
}

/** Whether the exact cache was consulted for the request, and what it said. */
export function cacheState(job: AnswerJob, outcome: AnswerOutcome): 'hit' | 'miss' | 'off' {
  if (outcome.kind === 'cached') return 'hit';
  return job.cacheKey === undefined ? 'off' : 'miss';
}

/** The receipt of an answer a target produced. */
export function receiptOf(
  job: AnswerJob,
  winner: PlannedAttempt,
  attempts: readonly AttemptRecord[],
  costUSD: number | undefined,
  overheadMs: number,
): Receipt {
  const classification = job.decision?.classification;
  return {
    route: job.resolution?.routeName ?? 'none',
    classifiedBy: classification?.source,
    rule: classification?.rule,
    tier: winner.tier,
    provider: winner.target.provider.name,
    model: winner.target.model.name,
    attempts,
    costUSD,
    overheadMs,
    cache: job.cacheKey === undefined ? 'off' : 'miss',
    requestId: job.requestId,
  };
}
