import { API_GROUP } from '../../core/api/common.ts';
import type { LiveStatuses } from '../../core/live/live-summary.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import { CONTENT_TYPE, type KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { CRD_VERSION } from '../watch/sources.ts';
import { mergePatchOf } from './live-patch.ts';

/** Finds the cached object of a kind by `namespace/name`. */
export type LiveLookup = (kind: LiveKind, id: string) => KubeObject | undefined;

/** The two kinds with a status.live. */
export type LiveKind = 'ModelProvider' | 'RoutePolicy';

/** How the live writer paces itself. */
export interface LiveWriterOptions {
  client: KubeClient;
  lookup: LiveLookup;
  canWrite: () => boolean;
  /** Wall clock, for updatedAt and pacing. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** An object's live status is written at most once per this. Default 10 s. */
  minIntervalMs: number;
  /** Live status writes per second across all objects. Default 40. */
  writesPerSecond: number;
  /** Writes one round may make: the rest wait for the next round, oldest first. */
  maxWritesPerRound: number;
}

/** What one round of live writes did. */
export interface LiveWriteReport {
  written: number;
  unchanged: number;
  /** Changed but written too recently, or over the round's share: left for a later round. */
  deferred: number;
  failed: number;
  firstError: unknown;
}

/** A live status to write. */
interface DueWrite {
  kind: LiveKind;
  id: string;
  live: Record<string, unknown>;
  /** When it was last written (ms), 0 if never. */
  last: number;
}

/** The stored updatedAt in ms, 0 when there is none. */
function writtenAt(stored: Record<string, unknown> | undefined): number {
  const at = stored?.['updatedAt'];
  return typeof at === 'string' ? Date.parse(at) || 0 : 0;
}

/** Live status writes in flight at once. */
const WRITERS = 8;

const PLURALS = { ModelProvider: 'modelproviders', RoutePolicy: 'routepolicies' } as const;

/**
 * Writes status.live of every served object with compare-before-write and a rate limit that keeps
 * a thousand busy objects from becoming a write storm: an unchanged live status (updatedAt aside)
 * is never written, a changed one at most once per minIntervalMs (the stored updatedAt counts,
 * so a new leader does not rewrite what the old one just wrote), at most writesPerSecond overall,
 * the longest-unwritten first. Each write is a merge patch of status.live alone, so it never
 * races the conditions the reconciler writes.
 */
export class LiveWriter {
  readonly #options: LiveWriterOptions;
  readonly #lastWrite = new Map<string, number>();

  constructor(options: LiveWriterOptions) {
    this.#options = options;
  }

  /** Forgets write times (after a leadership change the stored updatedAt still counts). */
  reset(): void {
    this.#lastWrite.clear();
  }

  async write(statuses: LiveStatuses): Promise<LiveWriteReport> {
    const report: LiveWriteReport = {
      written: 0,
      unchanged: 0,
      deferred: 0,
      failed: 0,
      firstError: undefined,
    };
    const due = this.#due(statuses, report);
    const now = this.#options.now();
    const updatedAt = `${new Date(now).toISOString().slice(0, 19)}Z`;
    const taken = due.slice(0, this.#options.maxWritesPerRound);
    report.deferred += due.length - taken.length;
    // A few writes in flight, paced to writesPerSecond overall: one at a time, an API server's
    // latency alone would cap the rate well below it.
    const pace = 1000 / this.#options.writesPerSecond;
    let nextSlot = now;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < taken.length && this.#options.canWrite()) {
        const item = taken[next++] as DueWrite;
        const wait = nextSlot - this.#options.now();
        nextSlot = Math.max(nextSlot, this.#options.now()) + pace;
        if (wait > 0) await this.#options.sleep(wait);
        try {
          await this.#writeOne(item.kind, item.id, { ...item.live, updatedAt });
          this.#lastWrite.set(`${item.kind}/${item.id}`, this.#options.now());
          report.written++;
        } catch (error) {
          report.failed++;
          report.firstError ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITERS, taken.length) }, worker));
    report.deferred += taken.length - report.written - report.failed;
    return report;
  }

  /** The objects whose live status changed and may be written now, longest-unwritten first. */
  #due(statuses: LiveStatuses, report: LiveWriteReport): DueWrite[] {
    const due: DueWrite[] = [];
    const now = this.#options.now();
    const candidates: [LiveKind, Map<string, object>][] = [
      ['ModelProvider', statuses.providers],
      ['RoutePolicy', statuses.policies],
    ];
    for (const [kind, byId] of candidates) {
      for (const [id, live] of byId) {
        const object = this.#options.lookup(kind, id);
        if (object === undefined) continue;
        const stored = (object['status'] as { live?: Record<string, unknown> } | undefined)?.live;
        if (sameLive(stored, live)) {
          report.unchanged++;
          continue;
        }
        const last = Math.max(this.#lastWrite.get(`${kind}/${id}`) ?? 0, writtenAt(stored));
        if (now - last < this.#options.minIntervalMs) report.deferred++;
        else due.push({ kind, id, live: live as Record<string, unknown>, last });
      }
    }
    return due.sort((a, b) => a.last - b.last);
  }

  async #writeOne(kind: LiveKind, id: string, live: Record<string, unknown>): Promise<void> {
    const object = this.#options.lookup(kind, id);
    const stored = (object?.['status'] as { live?: unknown } | undefined)?.live;
    const [namespace, name] = id.split('/');
    try {
      await this.#options.client.request({
        method: 'PATCH',
        path: `/apis/${API_GROUP}/${CRD_VERSION}/namespaces/${namespace}/${PLURALS[kind]}/${name}/status`,
        body: { status: { live: mergePatchOf(stored, live) } },
        contentType: CONTENT_TYPE.mergePatch,
      });
    } catch (error) {
      if (!isApiStatus(error, 404)) throw error; // deleted meanwhile
    }
  }
}

/** Whether the stored live status says what `desired` says, its updatedAt aside. */
export function sameLive(stored: Record<string, unknown> | undefined, desired: object): boolean {
  if (stored === undefined) return false;
  const { updatedAt: _ignored, ...rest } = stored;
  return canonicalJson(rest) === canonicalJson(desired);
}
