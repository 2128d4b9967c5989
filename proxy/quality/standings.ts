import type { RouteConfig } from '../../core/config/router-config.ts';
import {
  DEMOTED_KEY,
  MAX_TRANSITIONS,
  QUALITY_TTL_SECONDS,
  SCORES_KEY,
  TRANSITIONS_KEY,
  policyIdOf,
  standingField,
  windowKey,
  type DemotionRecord,
  type PolicyId,
  type ScoreRecord,
  type Transition,
} from '../../core/live/fleet-keys.ts';
import {
  DEFAULT_QUALITY_WINDOW,
  demotionStep,
  gradedTargets,
  windowStats,
  type WindowStats,
} from '../../core/quality/demotion.ts';
import type { LogSink } from '../log/request-log.ts';
import type { FleetStore } from '../state/fleet-store.ts';

/** What the standings need from the proxy. */
export interface StandingsOptions {
  store: FleetStore;
  log: LogSink;
  wallNow: () => number;
  /** This pod's name in transitions. */
  pod: string;
  /** Told whenever the set of demoted targets may have changed (to refresh the gauge). */
  onChange: (demoted: ReadonlyMap<string, DemotionRecord>) => void;
}

/**
 * The quality standing of every graded target, fleet-wide: each judged score goes into the
 * target's rolling window in the shared store, and a window that crosses a policy's line demotes
 * or restores the target there — for every pod, since the demotion lives in the store too. Each
 * pod reads the demoted set on a timer and after its own verdicts, so plan() reads a local map
 * on the hot path. A demotion that would leave a policy without any target in good standing is
 * refused atomically by the store.
 */
export class Standings {
  readonly #options: StandingsOptions;
  #demoted = new Map<string, DemotionRecord>();
  #policiesWithDemotions = new Set<PolicyId>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: StandingsOptions) {
    this.#options = options;
  }

  /** True when some target of the policy is demoted (the fast path skips plan work otherwise). */
  anyDemoted(policy: PolicyId): boolean {
    return this.#policiesWithDemotions.has(policy);
  }

  /** True when the target is demoted under the policy. */
  isDemoted(policy: PolicyId, target: string): boolean {
    return this.#demoted.has(standingField(policy, target));
  }

  /** The demotions in force, as last read. */
  get demoted(): ReadonlyMap<string, DemotionRecord> {
    return this.#demoted;
  }

  /** Reads the demoted set every `intervalMs` (unref'd: it never holds the process up). */
  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
    this.#timer.unref();
    void this.refresh();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Reads the fleet's demoted set; keeps the last one when the store is unreachable. */
  async refresh(): Promise<void> {
    let fields: Map<string, string>;
    try {
      fields = await this.#options.store.hashGetAll(DEMOTED_KEY);
    } catch {
      return;
    }
    const demoted = new Map<string, DemotionRecord>();
    for (const [field, json] of fields) {
      const record = parseRecord(json);
      if (record !== undefined) demoted.set(field, record);
    }
    this.#replace(demoted);
  }

  /**
   * Adds a judged score to the target's window and applies the policy's demotion rule. Resolves
   * to the window after the score.
   */
  async record(route: RouteConfig, target: string, score: number): Promise<WindowStats> {
    const quality = route.quality;
    const policy = policyIdOf(route);
    const size = quality?.demotion?.window ?? DEFAULT_QUALITY_WINDOW;
    const { store, wallNow } = this.#options;
    const key = windowKey(policy, target);
    await store.listPush(key, String(score), size, QUALITY_TTL_SECONDS);
    const stats = windowStats((await store.listRange(key, size)).map(Number), size);
    const field = standingField(policy, target);
    if (stats.mean !== undefined) {
      const record: ScoreRecord = { mean: stats.mean, samples: stats.count, at: wallNow() };
      await store.hashSet(SCORES_KEY, field, JSON.stringify(record), QUALITY_TTL_SECONDS);
    }
    const demotion = quality?.demotion;
    if (demotion === undefined) return stats;
    const step = demotionStep(demotion, stats, this.#demoted.has(field));
    if (step === 'demote') await this.#demote(route, target, stats);
    else if (step === 'restore') await this.#restore(route, target, stats);
    return stats;
  }

  async #demote(route: RouteConfig, target: string, stats: WindowStats): Promise<void> {
    const demotion = route.quality?.demotion;
    if (demotion === undefined || stats.mean === undefined) return;
    const policy = policyIdOf(route);
    const field = standingField(policy, target);
    const record: DemotionRecord = {
      since: this.#options.wallNow(),
      mean: stats.mean,
      samples: stats.count,
      below: demotion.below,
      restoreAbove: demotion.restoreAbove,
    };
    const others = gradedTargets(route)
      .filter((t) => t !== target)
      .map((t) => standingField(policy, t));
    const set = await this.#options.store.hashSetUnlessOthersSet(
      DEMOTED_KEY,
      field,
      JSON.stringify(record),
      others,
      QUALITY_TTL_SECONDS,
    );
    if (set) await this.#transition('demoted', route, target, stats, demotion.below);
    await this.refresh();
  }

  async #restore(route: RouteConfig, target: string, stats: WindowStats): Promise<void> {
    const demotion = route.quality?.demotion;
    if (demotion === undefined) return;
    const field = standingField(policyIdOf(route), target);
    const removed = await this.#options.store.hashDelete(DEMOTED_KEY, [field]);
    if (removed > 0)
      await this.#transition('restored', route, target, stats, demotion.restoreAbove);
    await this.refresh();
  }

  async #transition(
    kind: Transition['kind'],
    route: RouteConfig,
    target: string,
    stats: WindowStats,
    threshold: number,
  ): Promise<void> {
    const { store, wallNow, pod, log } = this.#options;
    const transition: Transition = {
      kind,
      at: wallNow(),
      policy: policyIdOf(route),
      route: route.alias,
      target,
      mean: stats.mean ?? 0,
      samples: stats.count,
      threshold,
      pod,
    };
    await store.listPush(
      TRANSITIONS_KEY,
      JSON.stringify(transition),
      MAX_TRANSITIONS,
      QUALITY_TTL_SECONDS,
    );
    log({
      time: new Date(transition.at).toISOString(),
      level: 'warn',
      msg: kind === 'demoted' ? 'target demoted' : 'target restored',
      route: route.alias,
      policy: transition.policy,
      target,
      meanScore: Math.round(transition.mean * 100) / 100,
      samples: transition.samples,
      threshold,
    });
  }

  #replace(demoted: Map<string, DemotionRecord>): void {
    this.#demoted = demoted;
    this.#policiesWithDemotions = new Set(
      [...demoted.keys()].map((field) => field.slice(0, field.indexOf('|'))),
    );
    this.#options.onChange(demoted);
  }
}

function parseRecord(json: string): DemotionRecord | undefined {
  try {
    const value = JSON.parse(json) as DemotionRecord;
    return typeof value.mean === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
