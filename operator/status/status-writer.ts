import { API_GROUP } from '../../core/api/common.ts';
import type { ObjectStatus } from '../../core/compile/status.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import { CONTENT_TYPE, type KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { CRD_VERSION } from '../watch/sources.ts';
import { desiredStatus, statusHolds, type WrittenStatus } from './desired-status.ts';

/** Finds the cached object a status belongs to. */
export type ObjectLookup = (status: ObjectStatus) => KubeObject | undefined;

/** How the status writer talks to the world. */
export interface StatusWriterOptions {
  client: KubeClient;
  lookup: ObjectLookup;
  /** False once leadership is lost: pending writes are dropped. */
  canWrite: () => boolean;
  /** Parallel status writes. Default 8. */
  concurrency?: number;
  /** Attempts per object when the object changed under us (409). Default 5. */
  maxAttempts?: number;
}

/** What one round of status writes did. */
export interface StatusWriteReport {
  written: number;
  unchanged: number;
  conflicts: number;
  failed: number;
  /** The first failure, for the log (never holds object content). */
  firstError: unknown;
}

const PLURALS = { ModelProvider: 'modelproviders', RoutePolicy: 'routepolicies' } as const;

/**
 * Writes compile()'s statuses to the status subresource with compare-before-write: an object
 * whose stored status already matches gets no request at all. Each write is a merge patch that
 * carries the resourceVersion it was computed from, so a concurrent change fails with 409 and is
 * recomputed from a fresh read instead of overwriting what someone else wrote.
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  /** Our last write per object and the resourceVersion it replaced, until the watch catches up. */
  readonly #written = new Map<string, { fromVersion: string; object: KubeObject }>();

  constructor(options: StatusWriterOptions) {
    this.#options = options;
  }

  /** Brings every object's stored status in line with `statuses`; `now` stamps transitions. */
  async write(statuses: readonly ObjectStatus[], now: string): Promise<StatusWriteReport> {
    const report: StatusWriteReport = {
      written: 0,
      unchanged: 0,
      conflicts: 0,
      failed: 0,
      firstError: undefined,
    };
    const pending = statuses.filter((status) => {
      const current = this.#current(status);
      if (current === undefined) return false;
      const holds = statusHolds(
        current['status'],
        desiredStatus(status, current['status'] as never, now),
      );
      if (holds) report.unchanged++;
      return !holds;
    });
    const concurrency = this.#options.concurrency ?? 8;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pending.length && this.#options.canWrite()) {
        const status = pending[next++]!;
        try {
          await this.#writeOne(status, now, report);
        } catch (error) {
          report.failed++;
          report.firstError ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
    return report;
  }

  /** Forgets remembered writes (after losing leadership). */
  reset(): void {
    this.#written.clear();
  }

  /** The freshest known copy of an object: our own write when the cache still shows what it replaced. */
  #current(status: ObjectStatus): KubeObject | undefined {
    const cached = this.#options.lookup(status);
    const key = statusKey(status);
    const written = this.#written.get(key);
    if (written === undefined || cached === undefined) return cached;
    if (cached.metadata.resourceVersion === written.fromVersion) return written.object;
    this.#written.delete(key);
    return cached;
  }

  async #writeOne(status: ObjectStatus, now: string, report: StatusWriteReport): Promise<void> {
    let current = this.#current(status);
    const maxAttempts = this.#options.maxAttempts ?? 5;
    for (let attempt = 1; current !== undefined && this.#options.canWrite(); attempt++) {
      const desired = desiredStatus(status, current['status'] as never, now);
      if (statusHolds(current['status'], desired)) {
        report.unchanged++;
        return;
      }
      const fromVersion = current.metadata.resourceVersion ?? '';
      try {
        const object = await this.#options.client.request<KubeObject>({
          method: 'PATCH',
          path: `${objectPath(status)}/status`,
          body: { metadata: { resourceVersion: fromVersion }, status: patchOf(current, desired) },
          contentType: CONTENT_TYPE.mergePatch,
        });
        this.#written.set(statusKey(status), { fromVersion, object });
        report.written++;
        return;
      } catch (error) {
        if (isApiStatus(error, 404)) return; // deleted meanwhile; nothing to report on
        if (!isApiStatus(error, 409) || attempt >= maxAttempts) throw error;
        report.conflicts++;
        current = await this.#read(status);
      }
    }
  }

  async #read(status: ObjectStatus): Promise<KubeObject | undefined> {
    try {
      return await this.#options.client.request<KubeObject>({
        method: 'GET',
        path: objectPath(status),
      });
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined;
      throw error;
    }
  }
}

/**
 * The merge patch of a status: `desired`, plus null for the optional lists it no longer has, since
 * a merge patch leaves out-of-patch fields as they are (status.models after the last feedRef goes).
 */
function patchOf(current: KubeObject, desired: WrittenStatus): Record<string, unknown> {
  const stored = (current['status'] ?? {}) as Partial<WrittenStatus>;
  return stored.models !== undefined && desired.models === undefined
    ? { ...desired, models: null }
    : { ...desired };
}

function objectPath(status: ObjectStatus): string {
  return `/apis/${API_GROUP}/${CRD_VERSION}/namespaces/${status.namespace}/${PLURALS[status.kind]}/${status.name}`;
}

function statusKey(status: ObjectStatus): string {
  return `${status.kind}/${status.namespace}/${status.name}`;
}
