import { publishedConfigOf } from '../publish/published-config.ts';
import { compile, type CompileResult } from '../../core/compile/compile.ts';
import type { Snapshot } from '../../core/compile/snapshot.ts';
import type { RouterConfig } from '../../core/config/router-config.ts';
import type { ObjectStatus } from '../../core/compile/status.ts';
import { EventRecorder, type EventReport } from '../events/event-recorder.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { errorText, type Logger } from '../log/logger.ts';
import type { OperatorMetrics } from '../metrics/operator-metrics.ts';
import { configMapFor } from '../publish/config-map.ts';
import { credentialsSecretFor } from '../publish/credentials-secret.ts';
import { CONFIG_KEYS, CONFIG_MAP_NAME, CREDENTIALS_SECRET_NAME } from '../publish/output-names.ts';
import { Publisher, type PublishOutcome } from '../publish/publisher.ts';
import { kubeTime } from '../status/desired-status.ts';
import { StatusWriter, type StatusWriteReport } from '../status/status-writer.ts';
import type { Sources } from '../watch/sources.ts';
import { credentialValues, pruneUnreferenced } from './credential-values.ts';
import { inputFingerprint } from './input-fingerprint.ts';
import { snapshotOf } from './snapshot-of.ts';

/** What one reconcile did; kept for /readyz details, logs and tests. */
export interface ReconcileReport {
  configHash: string;
  config: PublishOutcome;
  credentials: PublishOutcome;
  status: StatusWriteReport;
  events: EventReport;
  objects: number;
  /** compile() alone (0 when its inputs had not changed and the last result was reused). */
  compileMs: number;
  /** From the start until the config was published (or found unchanged). */
  publishMs: number;
  /**
   * The whole reconcile, status writes and Events included (and any wait for an earlier round of
   * status writes: they run in their own lane, after publication).
   */
  durationMs: number;
}

/** What the reconciler works with. */
export interface ReconcilerOptions {
  client: KubeClient;
  sources: Sources;
  namespace: string;
  identity: string;
  metrics: OperatorMetrics;
  log: Logger;
  isLeader: () => boolean;
  clock: () => Date;
  compressAboveBytes: number | undefined;
  statusConcurrency: number | undefined;
  /** Called after every reconcile that ran (tests, embedding). */
  onReconcile: ((report: ReconcileReport) => void) | undefined;
  /**
   * A round of status writes ended: with the error when some failed (the caller schedules a retry,
   * the next reconcile), undefined when all went through.
   */
  onStatusRound: (error: Error | undefined) => void;
}

/** A published reconcile whose statuses and Events are still to be written. */
interface StatusJob {
  statuses: readonly ObjectStatus[];
  started: number;
  configHash: string;
  config: PublishOutcome;
  credentials: PublishOutcome;
  compileMs: number;
  publishMs: number;
}

/**
 * One reconcile, Envoy Gateway style: snapshot every watched object, compile() the whole snapshot,
 * publish the credentials Secret and then the config ConfigMap (so a proxy that follows both
 * usually has a new key before the config that needs it), then bring every object's status in
 * line and record Events for rejections. Only the leader reconciles.
 *
 * Status writes run in a lane of their own, one round at a time, so that a burst of them (1,000
 * new objects take ~10 s of API calls) never delays the next publication: a reconcile returns
 * once its config is published. A round that is waiting to start is replaced by a newer one,
 * which carries the latest statuses (the writer compares against the live objects anyway).
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #configMap: Publisher;
  readonly #credentials: Publisher;
  readonly #status: StatusWriter;
  readonly #events: EventRecorder;
  #last: ReconcileReport | undefined;
  #pendingStatus: StatusJob | undefined;
  #statusLane: Promise<void> | undefined;
  #compiled: { fingerprint: string; result: CompileResult } | undefined;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    const { client, sources } = options;
    this.#configMap = new Publisher(client, 'configmaps', () =>
      sources.published.configMap.get(options.namespace, CONFIG_MAP_NAME),
    );
    this.#credentials = new Publisher(client, 'secrets', () =>
      sources.published.credentials.get(options.namespace, CREDENTIALS_SECRET_NAME),
    );
    this.#status = new StatusWriter({
      client,
      lookup: (status) => lookup(sources, status),
      canWrite: options.isLeader,
      ...(options.statusConcurrency === undefined
        ? {}
        : { concurrency: options.statusConcurrency }),
    });
    this.#events = new EventRecorder(client, options.identity, options.clock);
  }

  /** The last successful reconcile. */
  get last(): ReconcileReport | undefined {
    return this.#last;
  }

  /** The config last compiled (what the proxies are served), for the live-status lane. */
  get config(): RouterConfig | undefined {
    return this.#compiled?.result.config;
  }

  /** Forgets what this replica wrote in an earlier term (call when leadership changes). */
  reset(): void {
    this.#pendingStatus = undefined;
    this.#configMap.reset();
    this.#credentials.reset();
    this.#status.reset();
    this.#events.reset();
  }

  /** compile(), or its last result when the inputs are unchanged (the events were status writes). */
  #compile(snapshot: Snapshot): CompileResult & { reused: boolean } {
    const fingerprint = inputFingerprint(snapshot);
    if (this.#compiled?.fingerprint === fingerprint)
      return { ...this.#compiled.result, reused: true };
    // The config served so far lets a policy broken by its own edit keep its last good version;
    // after a restart, that is the config this operator (or its predecessor) published.
    const previous =
      this.#compiled?.result.config ??
      publishedConfigOf(
        this.#options.sources.published.configMap.get(
          this.#options.namespace,
          CONFIG_MAP_NAME,
        ) as Parameters<typeof publishedConfigOf>[0],
      );
    const result = compile(snapshot, previous);
    this.#compiled = { fingerprint, result };
    return { ...result, reused: false };
  }

  /** The watch saw a published object change: ours, or someone else's edit to repair. */
  publishedChanged(): void {
    this.#configMap.observedChanged();
    this.#credentials.observedChanged();
  }

  /**
   * Runs one reconcile up to publication and queues its status writes; throws when publication
   * failed (the caller retries). Status rounds are reported through `onStatusRound`.
   */
  async reconcile(): Promise<void> {
    const { sources, metrics, namespace, client } = this.#options;
    if (!this.#options.isLeader() || !sources.hasSynced) return;
    const started = performance.now();
    const snapshot = snapshotOf(
      sources.providers.values(),
      sources.policies.values(),
      sources.secrets.values(),
      sources.priceFeeds.values(),
    );
    const { config, statuses, reused } = this.#compile(snapshot);
    const compileMs = reused ? 0 : performance.now() - started;
    metrics.setObjects(statuses);

    pruneUnreferenced(sources.secrets, (ns, name) => sources.references.keysOf(ns, name));
    const credentials = await this.#credentials.publish(
      credentialsSecretFor(await credentialValues(config, sources.secrets, client), namespace),
    );
    const configMap = configMapFor(config, namespace, this.#options.compressAboveBytes);
    metrics.configBytes.set(storedBytes(configMap));
    if (!this.#options.isLeader()) return;
    const configOutcome = await this.#configMap.publish(configMap);
    if (credentials === 'applied') metrics.publications.inc({ object: 'secret' });
    if (configOutcome === 'applied') metrics.publications.inc({ object: 'configmap' });
    const job: StatusJob = {
      statuses,
      started,
      configHash: config.configHash,
      config: configOutcome,
      credentials,
      compileMs,
      publishMs: performance.now() - started,
    };
    this.#queueStatus(job);
  }

  /** Resolves when no status round is running or waiting (tests, shutdown). */
  async statusSettled(): Promise<void> {
    while (this.#statusLane !== undefined) await this.#statusLane;
  }

  #queueStatus(job: StatusJob): void {
    const waiting = this.#pendingStatus;
    // A waiting round that published something keeps its report (the one that says "applied");
    // either way the newest statuses are the ones written.
    const published = (j: StatusJob): boolean =>
      j.config === 'applied' || j.credentials === 'applied';
    this.#pendingStatus =
      waiting !== undefined && published(waiting) && !published(job)
        ? { ...waiting, statuses: job.statuses, configHash: job.configHash }
        : job;
    this.#statusLane ??= this.#drainStatus();
  }

  async #drainStatus(): Promise<void> {
    try {
      for (let job = this.#takeStatusJob(); job !== undefined; job = this.#takeStatusJob()) {
        let failure: Error | undefined;
        try {
          await this.#writeStatus(job);
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
        }
        this.#options.onStatusRound(failure);
      }
    } finally {
      // Cleared in the same turn as the last empty check: a job queued later starts a new lane.
      this.#statusLane = undefined;
    }
  }

  #takeStatusJob(): StatusJob | undefined {
    const job = this.#pendingStatus;
    this.#pendingStatus = undefined;
    return job;
  }

  async #writeStatus(job: StatusJob): Promise<void> {
    const { sources, metrics, log } = this.#options;
    const status = await this.#status.write(job.statuses, kubeTime(this.#options.clock()));
    metrics.statusWrites.inc({ outcome: 'written' }, status.written);
    metrics.statusWrites.inc({ outcome: 'conflict' }, status.conflicts);
    metrics.statusWrites.inc({ outcome: 'failed' }, status.failed);
    const events = await this.#events.record(job.statuses, (s) => lookup(sources, s)?.metadata.uid);
    metrics.events.inc(events.emitted);
    if (events.failed > 0) {
      log.warn('could not record some events', {
        failed: events.failed,
        error: errorText(events.firstError),
      });
    }

    const report: ReconcileReport = {
      configHash: job.configHash,
      config: job.config,
      credentials: job.credentials,
      status,
      events,
      objects: job.statuses.length,
      compileMs: job.compileMs,
      publishMs: job.publishMs,
      durationMs: performance.now() - job.started,
    };
    metrics.reconcileDuration.observe(report.durationMs / 1000);
    this.#last = report;
    logReport(log, report);
    this.#options.onReconcile?.(report);
    if (status.failed > 0) {
      throw new Error(
        `${status.failed} status writes failed, first: ${errorText(status.firstError)}`,
      );
    }
  }
}

function lookup(sources: Sources, status: ObjectStatus): KubeObject | undefined {
  const set = status.kind === 'ModelProvider' ? sources.providers : sources.policies;
  return set.get(status.namespace, status.name);
}

function storedBytes(configMap: KubeObject): number {
  const data = configMap['data'] as Record<string, string> | undefined;
  const binary = configMap['binaryData'] as Record<string, string> | undefined;
  const json = data?.[CONFIG_KEYS.json];
  if (json !== undefined) return Buffer.byteLength(json);
  return Buffer.from(binary?.[CONFIG_KEYS.gzip] ?? '', 'base64').length;
}

function logReport(log: Logger, report: ReconcileReport): void {
  const wrote =
    report.config === 'applied' || report.credentials === 'applied' || report.status.written > 0;
  const fields = {
    configHash: report.configHash.slice(0, 12),
    config: report.config,
    credentials: report.credentials,
    objects: report.objects,
    statusWrites: report.status.written,
    statusConflicts: report.status.conflicts,
    events: report.events.emitted,
    compileMs: Math.round(report.compileMs),
    publishMs: Math.round(report.publishMs),
    durationMs: Math.round(report.durationMs),
  };
  if (wrote) log.info('reconciled', fields);
  else log.debug('reconciled; nothing to write', fields);
}
