import { publishedConfigOf } from '../publish/published-config.ts';
import { compile, type CompileResult } from '../../core/compile/compile.ts';
import type { Snapshot } from '../../core/compile/snapshot.ts';
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
  /** The whole reconcile, status writes and Events included. */
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
}

/**
 * One reconcile, Envoy Gateway style: snapshot every watched object, compile() the whole snapshot,
 * publish the credentials Secret and then the config ConfigMap (so a proxy that follows both
 * usually has a new key before the config that needs it), then bring every object's status in
 * line and record Events for rejections. Only the leader reconciles.
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #configMap: Publisher;
  readonly #credentials: Publisher;
  readonly #status: StatusWriter;
  readonly #events: EventRecorder;
  #last: ReconcileReport | undefined;
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

  /** Forgets what this replica wrote in an earlier term (call when leadership changes). */
  reset(): void {
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

  /** Runs one reconcile; throws when publication or a status write failed (the caller retries). */
  async reconcile(): Promise<ReconcileReport | undefined> {
    const { sources, metrics, log, namespace, client } = this.#options;
    if (!this.#options.isLeader() || !sources.hasSynced) return undefined;
    const started = performance.now();
    const snapshot = snapshotOf(
      sources.providers.values(),
      sources.policies.values(),
      sources.secrets.values(),
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
    if (!this.#options.isLeader()) return undefined;
    const configOutcome = await this.#configMap.publish(configMap);
    if (credentials === 'applied') metrics.publications.inc({ object: 'secret' });
    if (configOutcome === 'applied') metrics.publications.inc({ object: 'configmap' });
    const publishMs = performance.now() - started;

    const status = await this.#status.write(statuses, kubeTime(this.#options.clock()));
    metrics.statusWrites.inc({ outcome: 'written' }, status.written);
    metrics.statusWrites.inc({ outcome: 'conflict' }, status.conflicts);
    metrics.statusWrites.inc({ outcome: 'failed' }, status.failed);
    const events = await this.#events.record(statuses, (s) => lookup(sources, s)?.metadata.uid);
    metrics.events.inc(events.emitted);
    if (events.failed > 0) {
      log.warn('could not record some events', {
        failed: events.failed,
        error: errorText(events.firstError),
      });
    }

    const report: ReconcileReport = {
      configHash: config.configHash,
      config: configOutcome,
      credentials,
      status,
      events,
      objects: statuses.length,
      compileMs,
      publishMs,
      durationMs: performance.now() - started,
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
    return report;
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
