import type { PlannedAttempt } from '../../core/routing/plan.ts';
import { ProxyError } from '../errors/proxy-error.ts';
import type { HealthTracker } from '../health/health-tracker.ts';
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts';
import { countsAgainstTarget, type AttemptFailure, type AttemptRecord } from './attempt.ts';

/** What booking an attempt touches. */
export interface BookDeps {
  health: HealthTracker;
  metrics: ProxyMetrics;
}

/** How one attempt went, as the walk records it. */
export interface AttemptEntry {
  planned: PlannedAttempt;
  failure: AttemptFailure | undefined;
  durationMs: number;
  retry: boolean;
  hedge: boolean;
}

/**
 * Books a finished attempt: its receipt record, the attempts metric, and for failures the
 * provider's in-flight count and the target's breaker (the winner's are booked by the caller,
 * which knows its latency and tokens).
 */
export function bookAttempt(entry: AttemptEntry, records: AttemptRecord[], deps: BookDeps): void {
  const { target } = entry.planned;
  const { failure } = entry;
  records.push({
    target: target.key,
    tier: entry.planned.tier,
    outcome: failure === undefined ? 'ok' : failure.kind,
    ...(failure?.status === undefined ? {} : { status: failure.status }),
    durationMs: entry.durationMs,
    retry: entry.retry,
    hedge: entry.hedge,
  });
  closeAttempt(entry.planned, failure, deps);
}

/** The metric, in-flight and breaker side of booking, without a receipt record (hedge losers). */
export function closeAttempt(
  planned: PlannedAttempt,
  failure: AttemptFailure | undefined,
  deps: BookDeps,
): void {
  const { target } = planned;
  deps.metrics.upstreamAttempts.inc({
    provider: target.provider.name,
    model: target.model.name,
    outcome: failure?.kind ?? 'ok',
  });
  if (failure === undefined) return;
  deps.health.attemptEnded(target, 0);
  if (countsAgainstTarget(failure.kind)) deps.health.recordFailure(target);
  else deps.health.releaseTrial(target);
}

/** Records a target skipped because its circuit or rate limit did not admit the attempt. */
export function bookSkipped(planned: PlannedAttempt, records: AttemptRecord[]): void {
  records.push({
    target: planned.target.key,
    tier: planned.tier,
    outcome: 'circuit_open',
    durationMs: 0,
    retry: false,
    hedge: false,
  });
}

/** Attempts that reached a provider (skipped targets excluded). */
export function attemptsUsed(records: readonly AttemptRecord[]): number {
  return records.filter((r) => r.outcome !== 'circuit_open').length;
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

/** The provider said the request itself is wrong: the caller's fault, answered as a 400. */
export function callerError(
  failure: AttemptFailure,
  records: readonly AttemptRecord[],
): ProxyError {
  return new ProxyError(
    'UPSTREAM_INVALID_REQUEST',
    `the provider rejected the request: ${failure.message}`,
    { attempts: summaries(records) },
  );
}

/** The client left before an attempt succeeded: not a provider's fault, whatever attempts show. */
export function clientClosedError(records: readonly AttemptRecord[]): ProxyError {
  return new ProxyError(
    'CLIENT_CLOSED_REQUEST',
    `the client closed the connection before the answer, after ${records.length} attempt(s)`,
    { attempts: summaries(records) },
  );
}

/** Every attempt failed (or none could start): the error that lists them. */
export function exhaustedError(
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
