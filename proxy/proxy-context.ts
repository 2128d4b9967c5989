import type { ProviderApi } from '../core/api/model-provider.ts';
import type { ConfigStore } from './config/config-store.ts';
import type { CredentialStore } from './config/credential-store.ts';
import type { HealthTracker } from './health/health-tracker.ts';
import type { LogSink } from './log/request-log.ts';
import type { ProxyMetrics } from './metrics/proxy-metrics.ts';
import type { ProviderAdapter } from './providers/adapter.ts';
import type { UpstreamClient } from './upstream/upstream-client.ts';
import type { QualityGate } from './execute/quality-gate.ts';
import type { BudgetGuard } from './budget/budget-guard.ts';
import type { ResponseCache } from './cache/response-cache.ts';
import type { SharedState } from './state/shared-state.ts';
import type { ClientAuth } from './http/client-auth.ts';
import type { AnswerObserver } from './answer/outcome.ts';
import type { AskClassifier } from '../core/routing/decide.ts';
import type { Standings } from './quality/standings.ts';

/** Options of one proxy process. */
export interface ProxyOptions {
  /** Largest accepted request body. Defaults to 10 MiB (room for a few inline images). */
  maxBodyBytes: number;
  /** Include prompts in log lines. Defaults to false: prompts are customer data. */
  logPrompts: boolean;
}

/** Everything a request handler needs; one per proxy process. Clocks and randomness injected. */
export interface ProxyContext {
  config: ConfigStore;
  credentials: CredentialStore;
  health: HealthTracker;
  metrics: ProxyMetrics;
  upstream: UpstreamClient;
  adapterFor: (api: ProviderApi) => ProviderAdapter;
  log: LogSink;
  /** Checks structured-output answers (the quality gate). */
  quality: QualityGate;
  /** Budgets and cache live here: Redis for the fleet, memory for one pod. */
  state: SharedState;
  budget: BudgetGuard;
  /** Client API keys; open when none are configured. */
  auth: ClientAuth;
  cache: ResponseCache;
  /** Asks a policy's classifier model (./execute/classifier-call.ts). */
  askClassifier: AskClassifier;
  /** Told about every answer once it is written (judge sampling, tracing, chargeback). */
  observers: AnswerObserver[];
  /** Which targets the quality loop demoted, fleet-wide (./quality/standings.ts). */
  standings: Standings;
  options: ProxyOptions;
  /** Monotonic milliseconds, for durations. */
  now: () => number;
  /** Wall-clock milliseconds since the epoch, for timestamps. */
  wallNow: () => number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A new unique id for responses that lack one. */
  newId: () => string;
}
