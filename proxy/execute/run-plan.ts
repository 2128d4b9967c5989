import type { PlannedAttempt } from '../../core/routing/plan.ts';
import {
  attemptsUsed,
  bookSkipped,
  callerError,
  clientClosedError,
  exhaustedError,
} from './attempt-book.ts';
import {
  isCallerFault,
  type AttemptFailure,
  type AttemptFn,
  type AttemptRecord,
} from './attempt.ts';
import { hedgedAttempt } from './hedged-attempt.ts';
import { singleAttempt } from './single-attempt.ts';
import type { FailoverSettings, RoundResult, RunDeps, Walk } from './walk.ts';

export type { FailoverSettings, RunDeps } from './walk.ts';
export { abortedByTimeout, AttemptTimeout } from './attempt-timeout.ts';

/** A successful run: the value, who produced it, and every attempt made. */
export interface RunResult<T> {
  value: T;
  winner: PlannedAttempt;
  attempts: AttemptRecord[];
}

/**
 * Walks the plan: each target gets up to `retries.max` retries with exponential backoff and
 * full jitter (Retry-After honoured up to `maxBackoffMs`), then the next target; the caller's own
 * mistakes stop the walk at once. Attempts never exceed `maxAttempts` and the whole walk stays
 * inside `totalTimeoutMs`. With `hedgeAfterMs`, a slow first attempt is raced by the next
 * target and the loser is cancelled.
 */
export async function runPlan<T>(
  planned: readonly PlannedAttempt[],
  failover: FailoverSettings,
  clientSignal: AbortSignal,
  attempt: AttemptFn<T>,
  deps: RunDeps,
): Promise<RunResult<T>> {
  const walk: Walk<T> = {
    failover,
    clientSignal,
    attempt,
    deps,
    records: [],
    queue: [...planned],
    deadlineMs: deps.now() + failover.totalTimeoutMs,
  };
  let lastFailure: AttemptFailure | undefined;
  while (walk.queue.length > 0 && attemptsUsed(walk.records) < failover.maxAttempts) {
    if (clientSignal.aborted) throw clientClosedError(walk.records);
    const current = walk.queue.shift() as PlannedAttempt;
    if (!deps.health.admit(current.target)) {
      bookSkipped(current, walk.records);
      continue;
    }
    const outcome = await retryTarget(walk, current);
    if (outcome.ok) return { value: outcome.value, winner: outcome.winner, attempts: walk.records };
    lastFailure = outcome.failure;
  }
  if (clientSignal.aborted) throw clientClosedError(walk.records);
  throw exhaustedError(lastFailure, walk.records, deps.now() >= walk.deadlineMs);
}

/** Tries one target, with its retries; throws at once for the caller's own mistakes. */
async function retryTarget<T>(walk: Walk<T>, current: PlannedAttempt): Promise<RoundResult<T>> {
  const { failover, deps } = walk;
  let outcome: RoundResult<T> = {
    ok: false,
    failure: { kind: 'aborted', message: 'no time left' },
  };
  for (let retry = 0; ; retry += 1) {
    const remaining = walk.deadlineMs - deps.now();
    if (remaining <= 0 || walk.clientSignal.aborted) return outcome;
    const timeoutMs = Math.min(failover.attemptTimeoutMs, remaining);
    const hedge = retry === 0 && failover.hedgeAfterMs > 0 && walk.queue.length > 0;
    outcome = hedge
      ? await hedgedAttempt(walk, current, timeoutMs)
      : await singleAttempt(walk, current, timeoutMs, retry > 0);
    if (outcome.ok) return outcome;
    const failure = outcome.failure;
    if (isCallerFault(failure.kind)) throw callerError(failure, walk.records);
    if (failure.kind === 'context_length_exceeded')
      keepLargerWindows(walk.queue, current.target.model.contextWindow);
    if (!shouldRetrySameTarget(failure, failover, retry, walk.queue.length === 0)) return outcome;
    if (attemptsUsed(walk.records) >= failover.maxAttempts) return outcome;
    deps.metrics.retries.inc({
      provider: current.target.provider.name,
      model: current.target.model.name,
    });
    const backoff = backoffMs(failover.retries, retry, failure.retryAfterMs, deps.random);
    if (deps.now() + backoff >= walk.deadlineMs) return outcome;
    await deps.sleep(backoff, walk.clientSignal);
  }
}

/** After a context-length error only targets with a larger window are worth trying. */
function keepLargerWindows(queue: PlannedAttempt[], failedWindow: number): void {
  const larger = queue.filter((p) => p.target.model.contextWindow > failedWindow);
  queue.splice(0, queue.length, ...larger);
}

const NEVER_RETRIED = new Set([
  'context_length_exceeded',
  'authentication',
  'not_found',
  'aborted',
]);

function shouldRetrySameTarget(
  failure: AttemptFailure,
  failover: FailoverSettings,
  retry: number,
  lastTarget: boolean,
): boolean {
  if (retry >= failover.retries.max || NEVER_RETRIED.has(failure.kind)) return false;
  // A rate-limited target rarely recovers within a backoff: fail over first, retry only when it was the last.
  if (failure.kind === 'rate_limited') return lastTarget;
  if (failure.status !== undefined) return failover.retries.onStatus.includes(failure.status);
  return true; // timeouts and connection errors
}

/** Exponential backoff with full jitter; a Retry-After hint wins when it is within the cap. */
export function backoffMs(
  retries: FailoverSettings['retries'],
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined && retryAfterMs <= retries.maxBackoffMs) return retryAfterMs;
  const ceiling = Math.min(retries.maxBackoffMs, retries.initialBackoffMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
