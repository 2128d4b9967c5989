import type { RouteConfig } from '../../core/config/router-config.ts';
import type { PlannedAttempt } from '../../core/routing/plan.ts';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';
import type { HealthTracker } from '../health/health-tracker.ts';
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts';
import { ProxyError } from '../http/proxy-error.ts';
import {
  countsAgainstTarget,
  isCallerFault,
  type AttemptFailure,
  type AttemptFn,
  type AttemptRecord,
} from './attempt.ts';

/** Failover settings: a route's, or the defaults for clients naming a concrete model. */
export type FailoverSettings = RouteConfig['failover'];

/** What the loop needs from the proxy. Time and randomness are injected for tests. */
export interface RunDeps {
  health: HealthTracker;
  metrics: ProxyMetrics;
  now: () => number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

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
  const started = deps.now();
  const deadline = started + failover.totalTimeoutMs;
  const records: AttemptRecord[] = [];
  const queue = [...planned];
  let lastFailure: AttemptFailure | undefined;
  while (
    queue.length > 0 &&
    records.filter((r) => r.outcome !== 'circuit_open').length < failover.maxAttempts
  ) {
    const current = queue.shift() as PlannedAttempt;
    if (!deps.health.admit(current.target)) {
      records.push(record(current, 'circuit_open', 0, false, false));
      continue;
    }
    for (let retry = 0; ; retry += 1) {
      const remaining = deadline - deps.now();
      if (remaining <= 0 || clientSignal.aborted) break;
      const useHedge = retry === 0 && failover.hedgeAfterMs > 0 && queue.length > 0;
      const outcome = useHedge
        ? await hedged(current, queue, failover, remaining, clientSignal, attempt, deps, records)
        : await single(
            current,
            Math.min(failover.attemptTimeoutMs, remaining),
            clientSignal,
            attempt,
            deps,
            records,
            retry > 0,
          );
      if (outcome.ok) return { value: outcome.value, winner: outcome.winner, attempts: records };
      lastFailure = outcome.failure;
      if (isCallerFault(lastFailure.kind)) throw callerError(lastFailure, records);
      if (lastFailure.kind === 'context_length_exceeded')
        keepLargerWindows(queue, current.target.model.contextWindow);
      if (!shouldRetrySameTarget(lastFailure, failover, retry, queue.length === 0)) break;
      if (attemptsUsed(records) >= failover.maxAttempts) break;
      deps.metrics.retries.inc({
        provider: current.target.provider.name,
        model: current.target.model.name,
      });
      const backoff = backoffMs(failover.retries, retry, lastFailure.retryAfterMs, deps.random);
      if (deps.now() + backoff >= deadline) break;
      await deps.sleep(backoff, clientSignal);
    }
  }
  throw exhaustedError(lastFailure, records, deps.now() >= deadline);
}

interface Won<T> {
  ok: true;
  value: T;
  winner: PlannedAttempt;
}

async function single<T>(
  current: PlannedAttempt,
  timeoutMs: number,
  clientSignal: AbortSignal,
  attempt: AttemptFn<T>,
  deps: RunDeps,
  records: AttemptRecord[],
  isRetry: boolean,
): Promise<Won<T> | { ok: false; failure: AttemptFailure }> {
  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort();
  clientSignal.addEventListener('abort', onClientAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
  const began = deps.now();
  try {
    const result = await attempt(current.target, controller.signal);
    const durationMs = deps.now() - began;
    finish(current, result.ok ? undefined : result.failure, durationMs, deps);
    records.push(
      record(
        current,
        result.ok ? 'ok' : result.failure.kind,
        durationMs,
        isRetry,
        false,
        result.ok ? undefined : result.failure.status,
      ),
    );
    return result.ok ? { ok: true, value: result.value, winner: current } : result;
  } finally {
    clearTimeout(timer);
    clientSignal.removeEventListener('abort', onClientAbort);
  }
}

/** Races the current target against the next one, started after `hedgeAfterMs`. */
async function hedged<T>(
  current: PlannedAttempt,
  queue: PlannedAttempt[],
  failover: FailoverSettings,
  remainingMs: number,
  clientSignal: AbortSignal,
  attempt: AttemptFn<T>,
  deps: RunDeps,
  records: AttemptRecord[],
): Promise<Won<T> | { ok: false; failure: AttemptFailure }> {
  const timeoutMs = Math.min(failover.attemptTimeoutMs, remainingMs);
  const racers: {
    planned: PlannedAttempt;
    controller: AbortController;
    began: number;
    hedge: boolean;
  }[] = [];
  const launch = (
    planned: PlannedAttempt,
    hedge: boolean,
  ): Promise<{ index: number; result: Awaited<ReturnType<AttemptFn<T>>> }> => {
    const controller = new AbortController();
    const index = racers.push({ planned, controller, began: deps.now(), hedge }) - 1;
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
    return attempt(planned.target, controller.signal)
      .then((result) => ({ index, result }))
      .finally(() => clearTimeout(timer));
  };
  const abortAll = (): void => racers.forEach((r) => r.controller.abort());
  clientSignal.addEventListener('abort', abortAll, { once: true });
  try {
    const pending = new Map<number, ReturnType<typeof launch>>();
    const first = launch(current, false);
    pending.set(0, first);
    let hedgeTimer: NodeJS.Timeout | undefined;
    const hedgeStarted = new Promise<'hedge'>((resolve) => {
      hedgeTimer = setTimeout(() => resolve('hedge'), failover.hedgeAfterMs);
    });
    let lastFailure: AttemptFailure = { kind: 'aborted', message: 'cancelled' };
    let hedgeLaunched = false;
    while (pending.size > 0) {
      const next = await Promise.race([
        ...pending.values(),
        ...(hedgeLaunched ? [] : [hedgeStarted]),
      ]);
      if (next === 'hedge') {
        hedgeLaunched = true;
        const backup = queue.shift();
        if (
          backup !== undefined &&
          attemptsUsed(records) + racers.length < failover.maxAttempts &&
          deps.health.admit(backup.target)
        ) {
          pending.set(racers.length, launch(backup, true));
        }
        continue;
      }
      pending.delete(next.index);
      const racer = racers[next.index] as (typeof racers)[number];
      const durationMs = deps.now() - racer.began;
      const failure = next.result.ok ? undefined : next.result.failure;
      finish(racer.planned, failure, durationMs, deps);
      records.push(
        record(
          racer.planned,
          next.result.ok ? 'ok' : (failure as AttemptFailure).kind,
          durationMs,
          false,
          racer.hedge,
          failure?.status,
        ),
      );
      if (next.result.ok) {
        clearTimeout(hedgeTimer);
        racers.forEach((r, i) => i !== next.index && r.controller.abort());
        // Losers settle after their abort; close their books (in-flight count, trial slot).
        for (const loser of pending.values()) {
          void loser.then(({ index, result }) => {
            const planned = (racers[index] as (typeof racers)[number]).planned;
            finish(
              planned,
              result.ok ? { kind: 'aborted', message: 'lost the hedge race' } : result.failure,
              0,
              deps,
            );
          });
        }
        return { ok: true, value: next.result.value, winner: racer.planned };
      }
      lastFailure = next.result.failure;
      if (isCallerFault(lastFailure.kind)) break;
    }
    clearTimeout(hedgeTimer);
    return { ok: false, failure: lastFailure };
  } finally {
    clientSignal.removeEventListener('abort', abortAll);
  }
}

function finish(
  planned: PlannedAttempt,
  failure: AttemptFailure | undefined,
  durationMs: number,
  deps: RunDeps,
): void {
  const { target } = planned;
  const labels = { provider: target.provider.name, model: target.model.name };
  if (failure === undefined) {
    deps.metrics.upstreamAttempts.inc({ ...labels, outcome: 'ok' });
    // The winner's latency, tokens and end are recorded by the caller, which knows them.
    return;
  }
  deps.metrics.upstreamAttempts.inc({ ...labels, outcome: failure.kind });
  deps.health.attemptEnded(target, 0);
  if (countsAgainstTarget(failure.kind)) deps.health.recordFailure(target);
  else deps.health.releaseTrial(target);
  void durationMs;
}

/** After a context-length error only targets with a larger window are worth trying. */
function keepLargerWindows(queue: PlannedAttempt[], failedWindow: number): void {
  const larger = queue.filter((p) => p.target.model.contextWindow > failedWindow);
  queue.splice(0, queue.length, ...larger);
}

function shouldRetrySameTarget(
  failure: AttemptFailure,
  failover: FailoverSettings,
  retry: number,
  lastTarget: boolean,
): boolean {
  if (retry >= failover.retries.max) return false;
  if (
    failure.kind === 'context_length_exceeded' ||
    failure.kind === 'authentication' ||
    failure.kind === 'not_found'
  )
    return false;
  if (failure.kind === 'aborted') return false;
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

function attemptsUsed(records: readonly AttemptRecord[]): number {
  return records.filter((r) => r.outcome !== 'circuit_open').length;
}

function record(
  planned: PlannedAttempt,
  outcome: AttemptRecord['outcome'],
  durationMs: number,
  retry: boolean,
  hedge: boolean,
  status?: number,
): AttemptRecord {
  return {
    target: planned.target.key,
    tier: planned.tier,
    outcome,
    ...(status === undefined ? {} : { status }),
    durationMs,
    retry,
    hedge,
  };
}

function summaries(records: readonly AttemptRecord[]) {
  return records.map((r) => ({
    target: r.target,
    tier: r.tier,
    outcome: r.outcome,
    ...(r.status === undefined ? {} : { status: r.status }),
    durationMs: Math.round(r.durationMs),
  }));
}

function callerError(failure: AttemptFailure, records: readonly AttemptRecord[]): ProxyError {
  return new ProxyError(
    'UPSTREAM_INVALID_REQUEST',
    `the provider rejected the request: ${failure.message}`,
    { attempts: summaries(records) },
  );
}

function exhaustedError(
  failure: AttemptFailure | undefined,
  records: readonly AttemptRecord[],
  timedOut: boolean,
): ProxyError {
  const attempts = summaries(records);
  if (records.length === 0)
    return new ProxyError('NO_ROUTE', 'no target is available for this request', { attempts });
  if (
    failure?.kind === 'context_length_exceeded' &&
    records.every((r) => r.outcome === 'context_length_exceeded')
  ) {
    return new ProxyError(
      'CONTEXT_LENGTH_EXCEEDED',
      `the prompt is too long for every target: ${failure.message}`,
      { attempts },
    );
  }
  const list = attempts
    .map(
      (a) => `${a.target} (${a.tier}): ${a.outcome}${a.status === undefined ? '' : ` ${a.status}`}`,
    )
    .join('; ');
  if (timedOut)
    return new ProxyError(
      'UPSTREAM_TIMEOUT',
      `the request deadline passed after ${records.length} attempt(s): ${list}`,
      { attempts },
    );
  return new ProxyError('ALL_TARGETS_FAILED', `every target failed: ${list}`, { attempts });
}

/** The abort reason used when an attempt's own timer fires. */
export class AttemptTimeout extends Error {
  constructor() {
    super('attempt timed out');
    this.name = 'AttemptTimeout';
  }
}

/** True when a signal was aborted by an attempt timer rather than by the client or a hedge. */
export function abortedByTimeout(signal: AbortSignal): boolean {
  return signal.reason instanceof AttemptTimeout;
}

export type { ResolvedTarget };
