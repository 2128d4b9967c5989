// Where the proxy fleet keeps its shared live state in Redis, and how the operator finds it
// (docs/adr/0035-live-state-through-redis.md). One module, imported by both sides, so the key and
// field names cannot drift apart. Names never hold `|`: provider, model, policy and tier names
// cannot contain it, so `|` separates the parts of a field.

/** A policy's fleet-wide id: `namespace/name`. */
export type PolicyId = string;

/** The policy id of a route. */
export function policyIdOf(route: { namespace: string; policy: string }): PolicyId {
  return `${route.namespace}/${route.policy}`;
}

/** Hash of pod id → PodReport JSON: what each proxy pod saw last, refreshed every few seconds. */
export const PODS_KEY = 'switchyard:live:pods';
/** A pod report older than this is not counted as a proxy that is up. */
export const POD_FRESH_MS = 30_000;
/** A pod report older than this is deleted by the operator. */
export const POD_FORGET_MS = 10 * 60_000;

/** Minutes of counters that "recent" figures (error rate, p95 latency) cover. */
export const RECENT_MINUTES = 5;
/** Seconds a minute's counters are kept. */
export const MINUTE_TTL_SECONDS = 20 * 60;
/** Seconds a month's counters are kept: long enough to outlive the month they count. */
export const MONTH_TTL_SECONDS = 70 * 24 * 3600;
/** Seconds an experiment's counters are kept after its last request. */
export const EXPERIMENT_TTL_SECONDS = 90 * 24 * 3600;
/** Seconds quality windows, demotions and samples are kept after their last update. */
export const QUALITY_TTL_SECONDS = 30 * 24 * 3600;

/** The minute (since the epoch) a wall-clock time falls in. */
export function minuteOf(wallMs: number): number {
  return Math.floor(wallMs / 60_000);
}

/** Counters of one minute, fleet-wide: attempts, errors and latency per target, and the like. */
export function minuteKey(minute: number): string {
  return `switchyard:live:minute:${minute}`;
}

/** Counters of one calendar month (UTC, YYYY-MM), fleet-wide: spend, requests, tiers, cache. */
export function monthKey(month: string): string {
  return `switchyard:live:month:${month}`;
}

/** Counters of one experiment of one policy, per arm. */
export function experimentKey(policy: PolicyId, experiment: string): string {
  return `switchyard:experiment:${policy}|${experiment}`;
}

/** The rolling window (a list, newest first) of a target's judged scores under a policy. */
export function windowKey(policy: PolicyId, target: string): string {
  return `switchyard:quality:window:${policy}|${target}`;
}

/** Hash of `policy|target` → ScoreRecord: the latest window mean of every judged target. */
export const SCORES_KEY = 'switchyard:quality:scores';
/** Hash of `policy|target` → DemotionRecord: the targets demoted now, fleet-wide. */
export const DEMOTED_KEY = 'switchyard:quality:demoted';
/** List (newest first) of Transition JSON: demotions and restorations, for Events. */
export const TRANSITIONS_KEY = 'switchyard:quality:transitions';
/** Transitions kept. */
export const MAX_TRANSITIONS = 1000;

/** List (newest first) of judged samples of one policy, for export. */
export function samplesKey(policy: PolicyId): string {
  return `switchyard:quality:samples:${policy}`;
}

/** The field of a target under a policy in SCORES_KEY and DEMOTED_KEY. */
export function standingField(policy: PolicyId, target: string): string {
  return `${policy}|${target}`;
}

/** Splits a standing field back into policy and target. */
export function parseStandingField(field: string): { policy: PolicyId; target: string } {
  const at = field.indexOf('|');
  return { policy: field.slice(0, at), target: field.slice(at + 1) };
}

/** Counter fields of a target (provider/model) in the minute and month hashes. */
export const targetField = {
  attempts: (t: string) => `t|${t}|n`,
  errors: (t: string) => `t|${t}|err`,
  latency: (t: string, bucket: number) => `t|${t}|lat|${bucket}`,
  ttft: (t: string, bucket: number) => `t|${t}|ttft|${bucket}`,
  spendUSD: (t: string) => `t|${t}|usd`,
};

/** Counter fields of a policy in the month hash. */
export const policyField = {
  requests: (p: PolicyId) => `r|${p}|n`,
  cacheHits: (p: PolicyId) => `r|${p}|hit`,
  successes: (p: PolicyId) => `r|${p}|ok`,
  spendUSD: (p: PolicyId) => `r|${p}|usd`,
  judgeUSD: (p: PolicyId) => `r|${p}|judge`,
  avoidedUSD: (p: PolicyId) => `r|${p}|avoid`,
  tier: (p: PolicyId, tier: string) => `r|${p}|tier|${tier}`,
};

/** Counter fields of one arm in an experiment's hash. */
export const armField = {
  requests: (arm: string) => `${arm}|n`,
  errors: (arm: string) => `${arm}|err`,
  successes: (arm: string) => `${arm}|ok`,
  cost: (arm: string) => `${arm}|c`,
  costSquared: (arm: string) => `${arm}|c2`,
  successCost: (arm: string) => `${arm}|cok`,
  score: (arm: string) => `${arm}|q`,
  scoreSquared: (arm: string) => `${arm}|q2`,
  judged: (arm: string) => `${arm}|qn`,
  latency: (arm: string, bucket: number) => `${arm}|lat|${bucket}`,
};

/** What one proxy pod reports about itself. */
export interface PodReport {
  pod: string;
  /** Wall-clock ms of the report. */
  at: number;
  /** Circuit state of every target the pod has called. */
  circuits: Record<string, 'closed' | 'half-open' | 'open'>;
}

/** The latest rolling window of a target under a policy. */
export interface ScoreRecord {
  mean: number;
  samples: number;
  /** Wall-clock ms of the last judged answer. */
  at: number;
}

/** A demotion in force. */
export interface DemotionRecord {
  /** Wall-clock ms of the demotion. */
  since: number;
  mean: number;
  samples: number;
  below: number;
  restoreAbove: number;
}

/** A demotion or a restoration, as the operator records it in an Event. */
export interface Transition {
  kind: 'demoted' | 'restored';
  /** Wall-clock ms. */
  at: number;
  policy: PolicyId;
  /** The policy's alias. */
  route: string;
  target: string;
  mean: number;
  samples: number;
  /** The line crossed: `below` for a demotion, `restoreAbove` for a restoration. */
  threshold: number;
  /** Which pod saw it. */
  pod: string;
}
