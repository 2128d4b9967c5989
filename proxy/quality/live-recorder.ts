import { budgetMonth } from '../../core/budget/budget.ts';
import {
  EXPERIMENT_TTL_SECONDS,
  MINUTE_TTL_SECONDS,
  MONTH_TTL_SECONDS,
  PODS_KEY,
  POD_FORGET_MS,
  armField,
  experimentKey,
  minuteKey,
  minuteOf,
  monthKey,
  policyField,
  policyIdOf,
  targetField,
  type PodReport,
} from '../../core/live/fleet-keys.ts';
import { LATENCY_BOUNDS_MS, bucketOf } from '../../core/live/latency-buckets.ts';
import type { AnsweredRequest } from '../answer/outcome.ts';
import type { RouteConfig } from '../../core/config/router-config.ts';
import type { ExperimentArm } from '../experiment/choose-arm.ts';
import { baselineCostUSD } from '../answer/record-answer.ts';
import type { HealthTracker } from '../health/health-tracker.ts';
import type { LogSink } from '../log/request-log.ts';
import type { FleetStore } from '../state/fleet-store.ts';

/** What the recorder needs of an answer whose verdict came. */
export interface JudgedAnswer {
  route: RouteConfig;
  experiment: ExperimentArm | undefined;
  spentUSD: number;
}

/** Counters waiting for the next flush, by hash key. */
type Pending = Map<string, Map<string, number>>;

/** What the recorder needs from the proxy. */
export interface LiveRecorderOptions {
  store: FleetStore;
  health: HealthTracker;
  log: LogSink;
  wallNow: () => number;
  /** This pod's name in the pods hash. */
  pod: string;
}

/** A target's counter fields, built once (see #targetFields). */
interface TargetFields {
  attempts: string;
  errors: string;
  latency: string[];
  ttft: string[];
  spendUSD: string;
}

/** A policy's counter fields, built once. */
interface PolicyFields {
  requests: string;
  cacheHits: string;
  successes: string;
  spendUSD: string;
  avoidedUSD: string;
}

/** Targets or policies whose field names are kept (a config's worth, many times over). */
const MAX_CACHED_FIELDS = 10_000;

/** Keys with more pending fields than this are not merged back after a failed flush. */
const MAX_PENDING_FIELDS = 50_000;

/**
 * Counts every answer into the fleet's shared counters (core/live/fleet-keys.ts): per target the
 * attempts, failures and latency of the minute and the spend of the month; per policy requests,
 * tiers, cache hits, successes, spend and cost avoided; per experiment arm its sums. A request
 * costs a handful of map updates; the counters reach the store in one batch per flush (every few
 * seconds), together with this pod's report (its circuit states), so the operator can summarise
 * the fleet into status however many pods there are, and whichever restarted.
 */
export class LiveRecorder {
  readonly #options: LiveRecorderOptions;
  #pending: Pending = new Map();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #lastWarnMs = 0;
  #currentKeys = { minute: '', month: '' };
  readonly #fieldsOfTarget = new Map<string, TargetFields>();
  readonly #fieldsOfPolicy = new Map<string, PolicyFields>();
  #keysUntilMs = 0;

  constructor(options: LiveRecorderOptions) {
    this.#options = options;
  }

  /**
   * Counts an answered request. `judging` says the answer awaits the judge: its success is
   * counted when the verdict comes (`judged`).
   */
  answered(answer: AnsweredRequest, judging: boolean): void {
    const route = answer.job.resolution?.route?.config;
    this.#countAttempts(answer);
    if (route !== undefined) this.#countPolicy(answer, policyIdOf(route), judging);
    this.#countArm(answer, judging);
  }

  /** Counts the success (or not) of a judged answer, and its score for its experiment arm. */
  judged(answer: JudgedAnswer, score: number | undefined, floor: number): void {
    const success = score === undefined || score >= floor;
    if (success) this.#add(this.#monthKey(), policyField.successes(policyIdOf(answer.route)), 1);
    const experiment = answer.experiment;
    if (experiment === undefined) return;
    const key = experimentKey(experiment.policy, experiment.name);
    const arm = experiment.arm;
    if (success) {
      this.#add(key, armField.successes(arm), 1);
      this.#add(key, armField.successCost(arm), answer.spentUSD);
    }
    if (score !== undefined) {
      this.#add(key, armField.score(arm), score);
      this.#add(key, armField.scoreSquared(arm), score * score);
      this.#add(key, armField.judged(arm), 1);
    }
  }

  /** Adds a judge call's spend to its policy's month. */
  judgeSpent(policy: string, usd: number): void {
    if (usd <= 0) return;
    const month = this.#monthKey();
    this.#add(month, policyField.judgeUSD(policy), usd);
    this.#add(month, policyField.spendUSD(policy), usd);
  }

  /** Flushes every `intervalMs` (unref'd). */
  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The last flush of a pod that shuts down: its counters, then its report is removed, so the
   * fleet stops counting it at once rather than when its report goes stale.
   */
  async retire(): Promise<void> {
    this.stop();
    await this.flush();
    try {
      await this.#options.store.hashDelete(PODS_KEY, [this.#options.pod]);
    } catch (error) {
      this.#warn(error);
    }
  }

  /** Writes the pending counters and this pod's report to the store; one flush at a time. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const { store, wallNow, pod, health } = this.#options;
    const pending = this.#pending;
    this.#pending = new Map();
    try {
      for (const [key, counters] of pending) await store.hashAdd(key, counters, ttlOf(key));
      const report: PodReport = {
        pod,
        at: wallNow(),
        circuits: Object.fromEntries(health.states()),
      };
      await store.hashSet(PODS_KEY, pod, JSON.stringify(report), POD_FORGET_MS / 1000);
    } catch (error) {
      this.#mergeBack(pending);
      this.#warn(error);
    }
  }

  #countAttempts(answer: AnsweredRequest): void {
    const minute = this.#keys().minute;
    for (const attempt of answer.attempts) {
      if (attempt.outcome === 'circuit_open') continue;
      const fields = this.#targetFields(attempt.target);
      this.#add(minute, fields.attempts, 1);
      if (attempt.outcome !== 'ok') this.#add(minute, fields.errors, 1);
    }
    const winner = answer.winner;
    if (winner === undefined || answer.error !== undefined) return;
    const key = winner.target.key;
    const fields = this.#targetFields(key);
    const won = answer.attempts.findLast((a) => a.target === key && a.outcome === 'ok');
    this.#add(minute, fields.latency[bucketOf(won?.durationMs ?? answer.latencyMs)]!, 1);
    if (answer.ttftMs !== undefined) this.#add(minute, fields.ttft[bucketOf(answer.ttftMs)]!, 1);
    this.#add(this.#monthKey(), fields.spendUSD, answer.costUSD);
  }

  #countPolicy(answer: AnsweredRequest, policy: string, judging: boolean): void {
    const month = this.#monthKey();
    const fields = this.#policyFields(policy);
    this.#add(month, fields.requests, 1);
    if (answer.cache === 'hit') this.#add(month, fields.cacheHits, 1);
    if (answer.spentUSD > 0) this.#add(month, fields.spendUSD, answer.spentUSD);
    if (succeeded(answer) && !judging) this.#add(month, fields.successes, 1);
    if (answer.winner === undefined || answer.error !== undefined) return;
    this.#add(month, policyField.tier(policy, answer.tier), 1);
    if (answer.usage !== undefined) {
      const avoided = baselineCostUSD(answer.job.resolution?.route, answer.usage) - answer.costUSD;
      if (avoided > 0) this.#add(month, fields.avoidedUSD, avoided);
    }
  }

  /**
   * A target's counter field names, built once: a request then adds to counters without making
   * a string (those strings are the bulk of what counting would otherwise allocate).
   */
  #targetFields(target: string): TargetFields {
    let fields = this.#fieldsOfTarget.get(target);
    if (fields === undefined) {
      const buckets = Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) => i);
      fields = {
        attempts: targetField.attempts(target),
        errors: targetField.errors(target),
        latency: buckets.map((i) => targetField.latency(target, i)),
        ttft: buckets.map((i) => targetField.ttft(target, i)),
        spendUSD: targetField.spendUSD(target),
      };
      if (this.#fieldsOfTarget.size >= MAX_CACHED_FIELDS) this.#fieldsOfTarget.clear();
      this.#fieldsOfTarget.set(target, fields);
    }
    return fields;
  }

  #policyFields(policy: string): PolicyFields {
    let fields = this.#fieldsOfPolicy.get(policy);
    if (fields === undefined) {
      fields = {
        requests: policyField.requests(policy),
        cacheHits: policyField.cacheHits(policy),
        successes: policyField.successes(policy),
        spendUSD: policyField.spendUSD(policy),
        avoidedUSD: policyField.avoidedUSD(policy),
      };
      if (this.#fieldsOfPolicy.size >= MAX_CACHED_FIELDS) this.#fieldsOfPolicy.clear();
      this.#fieldsOfPolicy.set(policy, fields);
    }
    return fields;
  }

  #countArm(answer: AnsweredRequest, judging: boolean): void {
    const experiment = answer.job.experiment;
    if (experiment === undefined) return;
    const key = experimentKey(experiment.policy, experiment.name);
    const arm = experiment.arm;
    const cost = answer.spentUSD;
    this.#add(key, armField.requests(arm), 1);
    if (answer.status >= 400) this.#add(key, armField.errors(arm), 1);
    this.#add(key, armField.cost(arm), cost);
    this.#add(key, armField.costSquared(arm), cost * cost);
    this.#add(key, armField.latency(arm, bucketOf(answer.latencyMs)), 1);
    if (succeeded(answer) && !judging) {
      this.#add(key, armField.successes(arm), 1);
      this.#add(key, armField.successCost(arm), cost);
    }
  }

  #monthKey(): string {
    return this.#keys().month;
  }

  /** The minute's and the month's hash keys, worked out once a minute rather than per request. */
  #keys(): { minute: string; month: string } {
    const now = this.#options.wallNow();
    if (now >= this.#keysUntilMs) {
      const minute = minuteOf(now);
      this.#currentKeys = { minute: minuteKey(minute), month: monthKey(budgetMonth(now)) };
      this.#keysUntilMs = (minute + 1) * 60_000;
    }
    return this.#currentKeys;
  }

  #add(key: string, field: string, n: number): void {
    let counters = this.#pending.get(key);
    if (counters === undefined) {
      counters = new Map();
      this.#pending.set(key, counters);
    }
    counters.set(field, (counters.get(field) ?? 0) + n);
  }

  /** Counters a failed flush did not write wait for the next one (bounded). */
  #mergeBack(pending: Pending): void {
    for (const [key, counters] of pending) {
      if (counters.size > MAX_PENDING_FIELDS) continue;
      for (const [field, n] of counters) this.#add(key, field, n);
    }
  }

  #warn(error: unknown): void {
    const now = this.#options.wallNow();
    if (now - this.#lastWarnMs < 60_000) return;
    this.#lastWarnMs = now;
    this.#options.log({
      time: new Date(now).toISOString(),
      level: 'warn',
      msg: 'live counters not written; kept for the next try',
      error: (error as Error).message,
    });
  }
}

/** HTTP 200, and the quality gate (if it checked the answer) passed it. */
export function succeeded(answer: AnsweredRequest): boolean {
  if (answer.status !== 200 || answer.error !== undefined || answer.streamFailure !== undefined)
    return false;
  return answer.outcome.kind !== 'completion' || answer.outcome.quality !== 'failed';
}

function ttlOf(key: string): number {
  if (key.startsWith('switchyard:live:minute:')) return MINUTE_TTL_SECONDS;
  if (key.startsWith('switchyard:experiment:')) return EXPERIMENT_TTL_SECONDS;
  return MONTH_TTL_SECONDS;
}
