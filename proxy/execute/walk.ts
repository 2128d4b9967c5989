import type { RouteConfig } from '../../core/config/router-config.ts';
import type { PlannedAttempt } from '../../core/routing/plan.ts';
import type { HealthTracker } from '../health/health-tracker.ts';
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts';
import type { AttemptFailure, AttemptFn, AttemptRecord } from './attempt.ts';

/** Failover settings: a route's, or the defaults for clients naming a concrete model. */
export type FailoverSettings = RouteConfig['failover'];

/** What the walk needs from the proxy. Time and randomness are injected for tests. */
export interface RunDeps {
  health: HealthTracker;
  metrics: ProxyMetrics;
  now: () => number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The state of one walk along a plan, shared by the single and hedged attempt runners. */
export interface Walk<T> {
  failover: FailoverSettings;
  clientSignal: AbortSignal;
  attempt: AttemptFn<T>;
  deps: RunDeps;
  records: AttemptRecord[];
  /** Planned attempts not yet started. */
  queue: PlannedAttempt[];
  deadlineMs: number;
}

/** An attempt that produced a value. */
export interface Won<T> {
  ok: true;
  value: T;
  winner: PlannedAttempt;
}

/** The outcome of one round (a single attempt, or a hedged race). */
export type RoundResult<T> = Won<T> | { ok: false; failure: AttemptFailure };
