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
import type { EmbeddingSignal } from './signals/embedding-signal.ts';
import type { BodyLimits } from './http/body-reader.ts';
import type { TenantTrust } from './http/tenant-trust.ts';
import type { AnswerObserver } from './answer/outcome.ts';
import type { AskClassifier, AskEmbeddings } from '../core/routing/decide.ts';
import type { Standings } from './quality/standings.ts';
import type { RequestTracer } from './trace/request-trace.ts';

/**
 * Options of one proxy process. Request bodies are bounded by `BodyLimits` (10 MiB, 60 s, 15 s
 * idle, 64 MiB held at once by default: proxy/http/body-reader.ts).
 */
export interface ProxyOptions extends BodyLimits {
  /** Include prompts in log lines. Defaults to false: prompts are customer data. */
  logPrompts: boolean;
  /** Request headers must arrive within this long after the connection is used. Defaults to 15 s. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. Defaults to 65 s (above the 60 s of most load balancers). */
  keepAliveTimeoutMs: number;
  /**
   * Who may name the tenant with x-switchyard-tenant when no client keys are configured.
   * Defaults to anyone (TenantTrust.any): restrict it to the gateway that sets the header.
   */
  tenantHeaderTrust: TenantTrust;
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
  /** Traces requests when tracing is on (`--otlp-endpoint`); undefined, at no cost, when off. */
  tracer: RequestTracer | undefined;
  options: ProxyOptions;
  /** Monotonic milliseconds, for durations. */
  now: () => number;
  /** Wall-clock milliseconds since the epoch, for timestamps. */
  wallNow: () => number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A new unique id for responses that lack one. */
  newId: () => string;
  /** The k-nearest-exemplars routing signal, with its embeddings cache and circuit. */
  embeddings: EmbeddingSignal;
  /** Asks `embeddings` for a route, as decide() wants it. */
  askEmbeddings: AskEmbeddings;
}
