import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHealthServer } from './http/health-server.ts';
import { KubeClient, loadKubeConfig } from './kube/kube-client.ts';
import { DEFAULT_LEADER_ELECTION, LeaderElector } from './leader/lease-elector.ts';
import { createLogger, errorText, type Logger, type LogLevel } from './log/logger.ts';
import { OperatorMetrics } from './metrics/operator-metrics.ts';
import { preflight as runPreflight } from './preflight/preflight.ts';
import { PriceFeedSync, type PriceFeedTiming } from './pricefeed/price-feed-sync.ts';
import { LEASE_NAME } from './publish/output-names.ts';
import { Debouncer, type DebounceTiming } from './reconcile/debouncer.ts';
import { Reconciler, type ReconcileReport } from './reconcile/reconciler.ts';
import { Backoff } from './watch/backoff.ts';
import type { ReflectorTiming } from './watch/reflector.ts';
import { createSources } from './watch/sources.ts';
import { FleetReader } from './live/fleet-reader.ts';
import { LiveLoop } from './live/live-loop.ts';

/** How to run the operator. Timings default to production values; tests shorten them. */
export interface OperatorOptions {
  /** Kubeconfig file; default: KUBECONFIG, ~/.kube/config, else the in-cluster service account. */
  kubeconfig?: string;
  /** The operator's namespace: where it publishes its ConfigMap and Secret and holds its Lease. */
  namespace: string;
  /** Namespaces whose ModelProviders, RoutePolicies and Secrets count; default all. */
  watchNamespaces?: readonly string[];
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one. */
  port: number;
  /** Address to listen on. Default 0.0.0.0 (in a pod); use 127.0.0.1 locally. */
  host?: string;
  /** Identity in the Lease and in Events. Default: host name and a random suffix. */
  identity?: string;
  /** Lease duration. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader steps down after failing to renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Between lease attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Reconcile coalescing. Default 100 ms quiet, 1 s at most. */
  debounce?: Partial<DebounceTiming>;
  /** Informer relist period and error backoff. Default 5 min, 250 ms to 30 s. */
  informers?: Partial<ReflectorTiming>;
  /** Price feed sync: the length of a minute of intervalMinutes and the retry backoff. */
  priceFeeds?: Partial<PriceFeedTiming>;
  /** Config JSON above this many bytes is gzipped. Default 512 KiB. */
  compressAboveBytes?: number;
  /** Parallel status writes. Default 8. */
  statusConcurrency?: number;
  /** Log level; default info. */
  logLevel?: LogLevel | 'silent';
  /** Replaces the default JSON logger on stderr. */
  log?: Logger;
  /** Wall clock for condition and Event timestamps. */
  clock?: () => Date;
  /**
   * Check the prerequisites before starting (CRDs, namespace, RBAC) and throw PrerequisiteError
   * with the fix when one is missing. Default true.
   */
  preflight?: boolean;
  /** Create the operator's namespace when it does not exist. Default false. */
  createNamespace?: boolean;
  /** Called after every reconcile this replica ran (as leader), with what it did. */
  onReconcile?: (report: ReconcileReport) => void;
  /**
   * Redis shared by the proxy fleet: live health, quality and spend in status (status.live) and
   * the quality Events come from there. Without it, status carries conditions only.
   */
  redisUrl?: string;
  /** How often live state is read and written. Default 10 s. */
  liveIntervalMs?: number;
  /** An object's status.live is written at most once per this. Default 10 s. */
  liveMinWriteIntervalMs?: number;
  /** status.live writes per second, all objects together. Default 40. */
  liveWritesPerSecond?: number;
}

/** A running operator. */
export interface RunningOperator {
  /** Port of the health and metrics server. */
  readonly port: number;
  readonly identity: string;
  readonly metrics: OperatorMetrics;
  /** Whether this replica holds the Lease now. */
  isLeader(): boolean;
  /** The last successful reconcile of this replica, if any. */
  lastReconcile(): ReconcileReport | undefined;
  /** The live-status lane, when a Redis URL was given. */
  readonly live: LiveLoop | undefined;
  /** Resolves once every informer has listed once. */
  synced(): Promise<void>;
  /**
   * Stops everything. A leader releases its Lease so another replica takes over at once;
   * `releaseLease: false` leaves it to expire, as a crash would.
   */
  stop(options?: { releaseLease?: boolean }): Promise<void>;
}

/**
 * Starts the operator: informers over ModelProviders, RoutePolicies, PriceFeeds and Secrets,
 * leader election, the debounced reconcile that publishes the RouterConfig and writes status,
 * the price feed sync, and the health and metrics server. See docs/operator.md.
 */
export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const log = options.log ?? createLogger(options.logLevel ?? 'info');
  const identity = options.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const clock = options.clock ?? (() => new Date());
  const client = new KubeClient(loadKubeConfig(options.kubeconfig));
  if (options.preflight !== false) {
    await runPreflight({
      client,
      log,
      namespace: options.namespace,
      watchNamespaces: options.watchNamespaces,
      createNamespace: options.createNamespace === true,
    }).catch(async (error: unknown) => {
      await client.close();
      throw error;
    });
  }
  const metrics = new OperatorMetrics();
  // The closures below run only after every part exists; they are wired in this order because
  // each part's callbacks reach the others.
  const isLeader = (): boolean => elector.isLeader;
  const retry = new Backoff({ initialMs: 500, maxMs: 30_000 });
  let stopping = false;
  const retryLater = (error: unknown): void => {
    metrics.reconcileErrors.inc();
    const delayMs = retry.next();
    log.error('reconcile failed; retrying', { error: errorText(error), delayMs });
    void sleep(delayMs).then(() => {
      if (!stopping) debouncer.trigger();
    });
  };
  const debouncer = new Debouncer(async () => {
    try {
      await reconciler.reconcile();
    } catch (error) {
      retryLater(error);
    }
  }, options.debounce);

  const sources = createSources({
    client,
    log,
    namespace: options.namespace,
    watchNamespaces: options.watchNamespaces,
    timing: options.informers ?? {},
    onInputChange: () => debouncer.trigger(),
    onFeedInputChange: () => feedSync.changed(),
    onPublishedChange: () => {
      reconciler.publishedChanged();
      debouncer.trigger();
    },
    onRestart: (resource, reason) => metrics.informerRestarts.inc({ resource, reason }),
  });
  const reconciler = new Reconciler({
    client,
    sources,
    namespace: options.namespace,
    identity,
    metrics,
    log,
    isLeader,
    clock,
    compressAboveBytes: options.compressAboveBytes,
    statusConcurrency: options.statusConcurrency,
    onReconcile: options.onReconcile,
    // The backoff resets only once a whole reconcile, statuses included, went through.
    onStatusRound: (error) => (error === undefined ? retry.reset() : retryLater(error)),
  });
  const feedSync = new PriceFeedSync({
    client,
    priceFeeds: sources.priceFeeds,
    providers: sources.providers,
    log,
    metrics,
    clock,
    identity,
    timing: options.priceFeeds,
  });
  const live = startLiveLoop(options, {
    client,
    sources,
    reconciler,
    isLeader,
    identity,
    log,
    metrics,
  });
  const elector = new LeaderElector({
    client,
    namespace: options.namespace,
    name: LEASE_NAME,
    identity,
    log,
    timing: {
      leaseDurationMs: options.leaseDurationMs ?? DEFAULT_LEADER_ELECTION.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? DEFAULT_LEADER_ELECTION.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? DEFAULT_LEADER_ELECTION.retryPeriodMs,
    },
    onStartedLeading: () => {
      metrics.leader.set(1);
      reconciler.reset();
      live?.loop.reset();
      debouncer.trigger();
      // Feeds are fetched once the caches are complete, so the first step sees every reference.
      void sources.synced().then(() => {
        if (elector.isLeader && !stopping) feedSync.start();
      });
    },
    onStoppedLeading: () => {
      metrics.leader.set(0);
      reconciler.reset();
      void feedSync.stop();
      live?.loop.reset();
    },
  });

  const health = await startHealthServer(
    options.port,
    options.host ?? '0.0.0.0',
    {
      healthy: () => !stopping,
      ready: () => sources.hasSynced,
      details: () => ({
        identity,
        leader: isLeader(),
        synced: sources.hasSynced,
        configHash: reconciler.last?.configHash,
      }),
    },
    metrics.registry,
  );
  const started = sources.start();
  started.catch(() => undefined);
  elector.start();
  log.info('operator started', {
    identity,
    namespace: options.namespace,
    watchNamespaces: options.watchNamespaces ?? 'all',
    port: health.port,
  });

  return {
    port: health.port,
    identity,
    metrics,
    isLeader,
    lastReconcile: () => reconciler.last,
    live: live?.loop,
    synced: async () => {
      await started;
      await sources.synced();
    },
    async stop(stopOptions = {}) {
      stopping = true;
      await feedSync.close();
      await debouncer.stop();
      await reconciler.statusSettled();
      await live?.loop.stop();
      await live?.reader.close();
      await elector.stop({ release: stopOptions.releaseLease !== false });
      await sources.stop();
      await health.close();
      await client.close();
      log.info('operator stopped', { identity });
    },
  };
}

/** What the live lane is built from. */
interface LiveParts {
  client: KubeClient;
  sources: ReturnType<typeof createSources>;
  reconciler: Reconciler;
  isLeader: () => boolean;
  identity: string;
  log: Logger;
  metrics: OperatorMetrics;
}

/** Starts the live-status lane when the operator can read the fleet's Redis. */
function startLiveLoop(
  options: OperatorOptions,
  parts: LiveParts,
): { loop: LiveLoop; reader: FleetReader } | undefined {
  const { log } = parts;
  if (options.redisUrl === undefined || options.redisUrl === '') {
    log.info('no Redis URL: status shows conditions only, no live health or spend');
    return undefined;
  }
  let lastError = '';
  const reader = FleetReader.open(options.redisUrl, (error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    log.warn('redis', { error: error.message });
  });
  const loop = new LiveLoop({
    client: parts.client,
    reader,
    sources: parts.sources,
    config: () => parts.reconciler.config,
    isLeader: parts.isLeader,
    identity: parts.identity,
    log,
    metrics: parts.metrics,
    intervalMs: options.liveIntervalMs ?? 10_000,
    minWriteIntervalMs: options.liveMinWriteIntervalMs ?? 10_000,
    writesPerSecond: options.liveWritesPerSecond ?? 40,
  });
  loop.start();
  return { loop, reader };
}
