import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigStore } from './config/config-store.ts';
import { CredentialStore } from './config/credential-store.ts';
import { HealthTracker } from './health/health-tracker.ts';
import { createProxyServer } from './http/proxy-server.ts';
import { gracefulCloser, type GracefulClose } from './http/graceful-close.ts';
import { stdoutSink, type LogSink } from './log/request-log.ts';
import { ProxyMetrics } from './metrics/proxy-metrics.ts';
import { adapterFor } from './providers/registry.ts';
import type { ProxyContext, ProxyOptions } from './proxy-context.ts';
import { UpstreamClient } from './upstream/upstream-client.ts';
import { nodeHttp } from './lean-imports.ts';
import { QualityGate } from './execute/quality-gate.ts';
import { classifierOf } from './execute/classifier-call.ts';
import { Prober } from './health/prober.ts';
import { BudgetGuard } from './budget/budget-guard.ts';
import { ResponseCache } from './cache/response-cache.ts';
import { MemoryState } from './state/memory-state.ts';
import { ClientAuth } from './http/client-auth.ts';
import type { SharedState } from './state/shared-state.ts';
import { FleetObserver } from './quality/fleet-observer.ts';
import { LiveRecorder } from './quality/live-recorder.ts';
import { Standings } from './quality/standings.ts';
import { policyIdOf, standingField } from '../core/live/fleet-keys.ts';
import { gradedTargets } from '../core/quality/demotion.ts';
import type { DemotionRecord } from '../core/live/fleet-keys.ts';
import { Chargeback, type ChargebackOptions } from './metrics/chargeback.ts';
import { chargebackObserver } from './metrics/chargeback-observer.ts';
import type { TracingOptions } from './trace/request-trace.ts';
import { startTracing } from './trace/start-tracing.ts';
import { tracingObserver } from './trace/tracing-observer.ts';
import { adapterEmbedder } from './signals/adapter-embedder.ts';
import { EmbeddingSignal } from './signals/embedding-signal.ts';
import { embeddingsOf } from './signals/embeddings-of.ts';
import { DEFAULT_BODY_LIMITS } from './http/body-reader.ts';
import { TenantTrust } from './http/tenant-trust.ts';

/** How to start a proxy process. */
export interface StartProxyOptions extends Partial<ProxyOptions> {
  /** Port of the OpenAI-compatible API; 0 picks a free one. Defaults to 8080. */
  port?: number;
  /** Port of /metrics (and /healthz, /readyz); 0 picks a free one; null turns it off. Defaults to 9090. */
  metricsPort?: number | null;
  /** Address to listen on. Defaults to 0.0.0.0 (in a pod) — use 127.0.0.1 locally. */
  host?: string;
  /** On close, how long requests in flight may take to finish. Defaults to 25 s. */
  drainMs?: number;
  log?: LogSink;
  /** Where budgets and the cache live; defaults to this process's memory. */
  state?: SharedState;
  /** Client API keys; defaults to none (open). */
  auth?: ClientAuth;
  /** This pod's name in the fleet's live state. Defaults to POD_NAME, else host name + random. */
  pod?: string;
  /** How often this pod writes its live counters to the shared state. Defaults to 5000 ms. */
  liveFlushMs?: number;
  /** How often this pod reads the fleet's demoted targets. Defaults to 2000 ms. */
  standingsRefreshMs?: number;
  /** Traces requests to an OTLP endpoint; default off (OpenTelemetry is then never loaded). */
  tracing?: TracingOptions | undefined;
  /** How many tenants and features get chargeback series of their own (default 20 each). */
  chargeback?: ChargebackOptions;
  /**
   * The most proxy pods that share the budgets (the HPA's maxReplicas): under
   * `onStateUnavailable: localCap` each pod spends at most 1/N of what was left. Defaults to 1.
   */
  budgetFleetSize?: number;
}

/** A running proxy. */
export interface RunningProxy {
  ctx: ProxyContext;
  /** Base URL of the OpenAI API, e.g. http://127.0.0.1:8080/v1. */
  url: string;
  port: number;
  metricsUrl: string | undefined;
  /** The active health prober (runs on its own timers; exposed for tests). */
  prober: Prober;
  /** The quality loop and live counters (exposed for tests). */
  fleet: { observer: FleetObserver; live: LiveRecorder; standings: Standings };
  close(): Promise<void>;
}

const CIRCUIT_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Starts the data plane: API server, metrics server, and the shared context they serve from. */
export async function startProxy(options: StartProxyOptions = {}): Promise<RunningProxy> {
  const metrics = new ProxyMetrics();
  const now = (): number => performance.now();
  const log = options.log ?? stdoutSink;
  const state = options.state ?? new MemoryState();
  const credentials = new CredentialStore();
  const upstream = new UpstreamClient();
  const pod = options.pod ?? podName();
  const wallNow = (): number => Date.now();
  const standings = new Standings({
    store: state,
    log,
    wallNow,
    pod,
    onChange: (demoted) => showDemoted(ctx, demoted),
  });
  const ctx: ProxyContext = {
    config: new ConfigStore(),
    credentials,
    health: new HealthTracker(now, (key, state) => {
      const [provider = '', model = ''] = key.split('/');
      metrics.circuitState.set({ provider, model }, CIRCUIT_VALUE[state]);
    }),
    metrics,
    upstream,
    adapterFor,
    log,
    quality: new QualityGate(),
    state,
    budget: new BudgetGuard(state, () => Date.now(), { metrics, log }, options.budgetFleetSize),
    cache: new ResponseCache(state, metrics),
    auth: options.auth ?? new ClientAuth([]),
    askClassifier: () => Promise.reject(new Error('set below, once the context exists')),
    observers: [],
    standings,
    tracer: undefined,
    options: proxyOptions(options),
    now,
    wallNow,
    random: Math.random,
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
    newId: () => randomUUID().replaceAll('-', ''),
    embeddings: new EmbeddingSignal(adapterEmbedder({ adapterFor, upstream, credentials }), now),
    askEmbeddings: () => Promise.reject(new Error('set below, once the context exists')),
  };
  ctx.askClassifier = classifierOf(ctx);
  ctx.askEmbeddings = embeddingsOf(ctx);
  const { live, observer } = startQualityLoop(ctx, pod, options);
  const chargeback = await attachObservers(ctx, options);
  const prober = new Prober(ctx);
  ctx.config.onChange((index) => {
    metrics.setConfig(index.config.configHash);
    showDemoted(ctx, standings.demoted);
    prober.reconfigure(index);
  });
  metrics.onScrape(() => {
    metrics.judgeQueueDepth.reset();
    for (const [route, depth] of observer.depths()) metrics.judgeQueueDepth.set({ route }, depth);
    metrics.targetLatency.reset();
    for (const { key, kind, quantile, ms } of ctx.health.latencies()) {
      const [provider = '', model = ''] = key.split('/');
      metrics.targetLatency.set({ provider, model, kind, quantile: String(quantile) }, ms / 1000);
    }
  });
  const host = options.host ?? '0.0.0.0';
  const drainMs = options.drainMs ?? 25_000;
  const api = createProxyServer(ctx);
  const closeApi = gracefulCloser(api);
  const port = await listen(api, options.port ?? 8080, host);
  let closeMetrics: GracefulClose | undefined;
  let metricsPort: number | undefined;
  if (options.metricsPort !== null) {
    const metricsServer = createMetricsServer(ctx);
    closeMetrics = gracefulCloser(metricsServer);
    metricsPort = await listen(metricsServer, options.metricsPort ?? 9090, host);
  }
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    ctx,
    url: `http://${shownHost}:${port}/v1`,
    port,
    metricsUrl:
      metricsPort === undefined ? undefined : `http://${shownHost}:${metricsPort}/metrics`,
    prober,
    fleet: { observer, live, standings },
    async close() {
      await Promise.all([closeApi(drainMs), closeMetrics?.(1000)]);
      prober.stop();
      standings.stop();
      await live.retire();
      chargeback.stop();
      await ctx.upstream.close();
      await state.close();
      // Spans of the last requests still go out.
      await ctx.tracer?.shutdown();
    },
  };
}

/** The live counters and the judge's observer, with their timers started. */
function startQualityLoop(
  ctx: ProxyContext,
  pod: string,
  options: StartProxyOptions,
): { live: LiveRecorder; observer: FleetObserver } {
  const live = new LiveRecorder({
    store: ctx.state,
    health: ctx.health,
    log: ctx.log,
    wallNow: ctx.wallNow,
    pod,
  });
  const observer = new FleetObserver(ctx, live, ctx.standings);
  ctx.observers.push(observer);
  live.start(options.liveFlushMs ?? 5000);
  ctx.standings.start(options.standingsRefreshMs ?? 2000);
  return { live, observer };
}

/** This pod's name in the fleet: the pod's own (downward API), else the host's and a random suffix. */
function podName(): string {
  const fromEnv = process.env['POD_NAME'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return `${hostname()}-${randomBytes(3).toString('hex')}`;
}

/**
 * switchyard_target_demoted from the fleet's demoted set: 1 for each demoted target, 0 for every
 * other target of a policy that demotes (so a board shows the series before anything is demoted).
 */
function showDemoted(ctx: ProxyContext, demoted: ReadonlyMap<string, DemotionRecord>): void {
  const gauge = ctx.metrics.targetDemoted;
  gauge.reset();
  for (const route of ctx.config.current?.config.routes ?? []) {
    if (route.quality?.demotion === undefined) continue;
    const policy = policyIdOf(route);
    for (const target of gradedTargets(route)) {
      const [provider = '', model = ''] = target.split('/');
      const value = demoted.has(standingField(policy, target)) ? 1 : 0;
      gauge.set({ route: route.alias, provider, model }, value);
    }
  }
}

/** Chargeback always, tracing when asked for: both as answer observers. */
async function attachObservers(ctx: ProxyContext, options: StartProxyOptions): Promise<Chargeback> {
  const chargeback = new Chargeback(ctx.metrics.registry, options.chargeback);
  ctx.observers.push(chargebackObserver(chargeback));
  if (options.tracing !== undefined) {
    ctx.tracer = await startTracing(options.tracing);
    ctx.observers.push(tracingObserver);
  }
  return chargeback;
}

/** The options with every default filled in. */
function proxyOptions(options: Partial<ProxyOptions>): ProxyOptions {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<ProxyOptions>;
  return {
    ...DEFAULT_BODY_LIMITS,
    headersTimeoutMs: 15_000,
    keepAliveTimeoutMs: 65_000,
    logPrompts: false,
    tenantHeaderTrust: TenantTrust.any,
    ...pick(defined, OPTION_KEYS),
  };
}

const OPTION_KEYS = [
  'maxBodyBytes',
  'bodyTimeoutMs',
  'bodyIdleTimeoutMs',
  'maxInFlightBodyBytes',
  'headersTimeoutMs',
  'keepAliveTimeoutMs',
  'logPrompts',
  'tenantHeaderTrust',
] as const satisfies readonly (keyof ProxyOptions)[];

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.filter((k) => k in value).map((k) => [k, value[k]])) as Pick<T, K>;
}

/**
 * The admin server: Prometheus metrics and probes. Plain node:http like the API server: three
 * fixed GET routes need no router, and express alone would add ~20 MB to every pod's idle RSS
 * (docs/adr/0002-node-http-on-the-hot-path.md).
 */
function createMetricsServer(ctx: ProxyContext): Server {
  return nodeHttp.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const reply = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, body: unknown): void =>
      reply(status, 'application/json; charset=utf-8', JSON.stringify(body));
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'use GET' });
    switch (path) {
      case '/metrics':
        ctx.metrics.scrape().then(
          (text) => reply(200, ctx.metrics.registry.contentType, text),
          () => json(500, { error: 'metrics collection failed' }),
        );
        return;
      case '/healthz':
        return json(200, { status: 'ok' });
      case '/readyz':
        return json(ctx.config.ready ? 200 : 503, {
          ready: ctx.config.ready,
          configHash: ctx.config.current?.config.configHash,
        });
      default:
        return json(404, { error: `no route for ${path ?? '/'}; try /metrics` });
    }
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const onListening = (): void => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    };
    server.listen(port, host, onListening);
  });
}
