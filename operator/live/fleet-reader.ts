import { createClient } from '@redis/client';
import type { RouterConfig } from '../../core/config/router-config.ts';
import {
  DEMOTED_KEY,
  PODS_KEY,
  POD_FORGET_MS,
  POD_FRESH_MS,
  RECENT_MINUTES,
  SCORES_KEY,
  TRANSITIONS_KEY,
  experimentKey,
  minuteKey,
  minuteOf,
  monthKey,
  policyIdOf,
  type DemotionRecord,
  type PodReport,
  type PolicyId,
  type ScoreRecord,
  type Transition,
} from '../../core/live/fleet-keys.ts';
import type { FleetView } from '../../core/live/live-summary.ts';
import { budgetMonth } from '../../core/budget/budget.ts';

/** Transitions read per round: the newest, more than a round can produce. */
const TRANSITIONS_PER_READ = 200;

function newClient(url: string) {
  return createClient({
    url,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000),
    },
    commandOptions: { timeout: 2000 },
  });
}

/** What one read of the fleet found. */
export interface FleetRead {
  view: FleetView;
  /** Demotions and restorations, newest first. */
  transitions: Transition[];
}

/**
 * Reads what the proxy fleet keeps in Redis (core/live/fleet-keys.ts) for the operator's live
 * status: pod reports (the fresh ones count as proxies up; long-gone ones are deleted), the
 * counters of the recent minutes and of the month, quality scores, demotions, transitions and
 * each running experiment's counters. A dozen commands per round, whatever the fleet's size.
 */
export class FleetReader {
  readonly #client: ReturnType<typeof newClient>;

  private constructor(client: ReturnType<typeof newClient>) {
    this.#client = client;
  }

  /**
   * Opens a connection to `url` (redis://host:port) in the background: an operator must start
   * (and publish configs) while Redis is down; reads fail until it is up, and the client
   * reconnects on its own after a drop.
   */
  static open(url: string, onError: (error: Error) => void): FleetReader {
    const client = newClient(url);
    client.on('error', onError);
    client.connect().catch(onError);
    return new FleetReader(client);
  }

  /** Reads the fleet as of `nowMs`. */
  async read(config: RouterConfig, nowMs: number): Promise<FleetRead> {
    const month = budgetMonth(nowMs);
    const minute = minuteOf(nowMs);
    const minutes = Array.from({ length: RECENT_MINUTES }, (_, i) => minuteKey(minute - i));
    const experiments = config.routes.flatMap((route) =>
      route.experiment === undefined
        ? []
        : [{ id: policyIdOf(route), key: experimentKey(policyIdOf(route), route.experiment.name) }],
    );
    const [pods, monthly, scores, demoted, transitions, ...rest] = await Promise.all([
      this.#hash(PODS_KEY),
      this.#hash(monthKey(month)),
      this.#hash(SCORES_KEY),
      this.#hash(DEMOTED_KEY),
      this.#client.lRange(TRANSITIONS_KEY, 0, TRANSITIONS_PER_READ - 1),
      ...minutes.map((key) => this.#hash(key)),
      ...experiments.map((e) => this.#hash(e.key)),
    ]);
    const recentHashes = rest.slice(0, minutes.length);
    const experimentHashes = rest.slice(minutes.length);
    return {
      view: {
        month,
        pods: await this.#freshPods(pods, nowMs),
        recent: sumHashes(recentHashes),
        monthly: numbers(monthly),
        scores: parsed<ScoreRecord>(scores),
        demoted: parsed<DemotionRecord>(demoted),
        experiments: new Map<PolicyId, ReadonlyMap<string, number>>(
          experiments.map((e, i) => [e.id, numbers(experimentHashes[i] ?? {})]),
        ),
      },
      transitions: transitions.flatMap((json) => parseJson<Transition>(json) ?? []),
    };
  }

  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
  }

  async #hash(key: string): Promise<Record<string, string>> {
    return await this.#client.hGetAll(key);
  }

  /** Pods that reported lately; pods silent for long are forgotten (a restarted pod has a new name). */
  async #freshPods(pods: Record<string, string>, nowMs: number): Promise<PodReport[]> {
    const fresh: PodReport[] = [];
    const gone: string[] = [];
    for (const [pod, json] of Object.entries(pods)) {
      const report = parseJson<PodReport>(json);
      if (report === undefined || nowMs - report.at > POD_FORGET_MS) gone.push(pod);
      else if (nowMs - report.at <= POD_FRESH_MS) fresh.push(report);
    }
    if (gone.length > 0) await this.#client.hDel(PODS_KEY, gone);
    return fresh.sort((a, b) => (a.pod < b.pod ? -1 : 1));
  }
}

function numbers(hash: Record<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [field, value] of Object.entries(hash)) {
    const n = Number(value);
    if (Number.isFinite(n)) out.set(field, n);
  }
  return out;
}

function sumHashes(hashes: readonly Record<string, string>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const hash of hashes) {
    for (const [field, n] of numbers(hash)) out.set(field, (out.get(field) ?? 0) + n);
  }
  return out;
}

function parsed<T>(hash: Record<string, string>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [field, json] of Object.entries(hash)) {
    const value = parseJson<T>(json);
    if (value !== undefined) out.set(field, value);
  }
  return out;
}

function parseJson<T>(json: string): T | undefined {
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}
