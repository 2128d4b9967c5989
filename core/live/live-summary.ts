import type { PolicyLiveStatus, ProviderHealth, ProviderLiveStatus } from '../api/live-status.ts';
import type { ProviderConfig, RouteConfig, RouterConfig } from '../config/router-config.ts';
import { experimentReport } from '../experiment/experiment-report.ts';
import {
  policyField,
  policyIdOf,
  targetField,
  type DemotionRecord,
  type PodReport,
  type PolicyId,
  type ScoreRecord,
} from './fleet-keys.ts';
import { LATENCY_BOUNDS_MS, quantileOf } from './latency-buckets.ts';

/** What the operator read from the fleet's shared state in one round. */
export interface FleetView {
  /** The month the spend figures cover, YYYY-MM. */
  month: string;
  /** Reports of the pods that are up (fresh). */
  pods: readonly PodReport[];
  /** Counters summed over the recent minutes. */
  recent: ReadonlyMap<string, number>;
  /** Counters of the month. */
  monthly: ReadonlyMap<string, number>;
  /** SCORES_KEY, by standing field. */
  scores: ReadonlyMap<string, ScoreRecord>;
  /** DEMOTED_KEY, by standing field. */
  demoted: ReadonlyMap<string, DemotionRecord>;
  /** Counters of each policy's running experiment, by policy id. */
  experiments: ReadonlyMap<PolicyId, ReadonlyMap<string, number>>;
}

/** A live status before the operator stamps its `updatedAt`. */
export type Unstamped<T> = Omit<T, 'updatedAt'>;

/** Live statuses of every served provider and policy, by `namespace/name`. */
export interface LiveStatuses {
  providers: Map<string, Unstamped<ProviderLiveStatus>>;
  policies: Map<string, Unstamped<PolicyLiveStatus>>;
}

/** Error rate above which a model counts as degraded. */
export const DEGRADED_ERROR_PERCENT = 5;

/**
 * Summarises what the fleet counted into each served object's status.live. Pure: the operator
 * reads the counters, this turns them into figures, rounded so that a status changes only when a
 * figure a reader would notice changes (spend to the micro-dollar, rates to 0.1 %, latency to the
 * millisecond, scores to 0.01).
 */
export function liveStatuses(config: RouterConfig, view: FleetView): LiveStatuses {
  const standings = standingsByTarget(view);
  const providers = new Map<string, Unstamped<ProviderLiveStatus>>();
  for (const provider of config.providers) {
    providers.set(
      `${provider.namespace}/${provider.name}`,
      providerLive(provider, view, standings),
    );
  }
  const policies = new Map<string, Unstamped<PolicyLiveStatus>>();
  for (const route of config.routes) policies.set(policyIdOf(route), policyLive(route, view));
  return { providers, policies };
}

interface Standing {
  scoreSum: number;
  samples: number;
  demotedIn: string[];
}

function standingsByTarget(view: FleetView): Map<string, Standing> {
  const out = new Map<string, Standing>();
  const entry = (field: string): Standing => {
    const target = field.slice(field.indexOf('|') + 1);
    let standing = out.get(target);
    if (standing === undefined) {
      standing = { scoreSum: 0, samples: 0, demotedIn: [] };
      out.set(target, standing);
    }
    return standing;
  };
  for (const [field, score] of view.scores) {
    const standing = entry(field);
    standing.scoreSum += score.mean * score.samples;
    standing.samples += score.samples;
  }
  for (const field of view.demoted.keys()) {
    entry(field).demotedIn.push(field.slice(0, field.indexOf('|')));
  }
  for (const standing of out.values()) standing.demotedIn.sort();
  return out;
}

const HEALTH_ORDER: readonly ProviderHealth[] = [
  'Idle',
  'Healthy',
  'Degraded',
  'CircuitOpen',
  'Demoted',
];

function providerLive(
  provider: ProviderConfig,
  view: FleetView,
  standings: ReadonlyMap<string, Standing>,
): Unstamped<ProviderLiveStatus> {
  let health: ProviderHealth = 'Idle';
  let spend = 0;
  let demotedModels = 0;
  const models = provider.models.map((model) => {
    const key = `${provider.name}/${model.name}`;
    const live = modelLive(model.name, key, view, standings.get(key));
    spend += live.spendUSD;
    if (live.demoted) demotedModels += 1;
    const own = modelHealth(live);
    if (HEALTH_ORDER.indexOf(own) > HEALTH_ORDER.indexOf(health)) health = own;
    return live;
  });
  return {
    month: view.month,
    proxies: view.pods.length,
    health,
    demotedModels,
    spendUSD: usd(spend),
    models,
  };
}

type ModelLive = ProviderLiveStatus['models'][number];

function modelLive(
  name: string,
  key: string,
  view: FleetView,
  standing: Standing | undefined,
): ModelLive {
  const { open, halfOpen } = circuitsOf(view.pods, key);
  const attempts = view.recent.get(targetField.attempts(key)) ?? 0;
  const errors = view.recent.get(targetField.errors(key)) ?? 0;
  const p95 = quantileOf(
    buckets(view.recent, (i) => targetField.latency(key, i)),
    0.95,
  );
  const p95Ttft = quantileOf(
    buckets(view.recent, (i) => targetField.ttft(key, i)),
    0.95,
  );
  const demotedIn = standing?.demotedIn ?? [];
  return {
    name,
    circuit: open > 0 ? 'open' : halfOpen > 0 ? 'half-open' : 'closed',
    openOnProxies: open,
    requests: attempts,
    ...(attempts > 0 ? { errorRatePercent: pct(errors, attempts) } : {}),
    ...(p95 === undefined ? {} : { p95LatencyMs: Math.round(p95) }),
    ...(p95Ttft === undefined ? {} : { p95TtftMs: Math.round(p95Ttft) }),
    ...qualityOf(standing),
    demoted: demotedIn.length > 0,
    ...(demotedIn.length > 0 ? { demotedIn } : {}),
    spendUSD: usd(view.monthly.get(targetField.spendUSD(key)) ?? 0),
  };
}

function circuitsOf(pods: readonly PodReport[], key: string): { open: number; halfOpen: number } {
  let open = 0;
  let halfOpen = 0;
  for (const pod of pods) {
    const state = pod.circuits[key];
    if (state === 'open') open += 1;
    else if (state === 'half-open') halfOpen += 1;
  }
  return { open, halfOpen };
}

function qualityOf(standing: Standing | undefined): Pick<ModelLive, 'quality'> {
  if (standing === undefined || standing.samples === 0) return {};
  return {
    quality: { score: score(standing.scoreSum / standing.samples), samples: standing.samples },
  };
}

function modelHealth(model: ModelLive): ProviderHealth {
  if (model.demoted) return 'Demoted';
  if (model.circuit === 'open') return 'CircuitOpen';
  if (model.circuit === 'half-open' || (model.errorRatePercent ?? 0) > DEGRADED_ERROR_PERCENT) {
    return 'Degraded';
  }
  return model.requests > 0 ? 'Healthy' : 'Idle';
}

function policyLive(route: RouteConfig, view: FleetView): Unstamped<PolicyLiveStatus> {
  const id = policyIdOf(route);
  const get = (field: string): number => view.monthly.get(field) ?? 0;
  const requests = get(policyField.requests(id));
  const spend = get(policyField.spendUSD(id));
  const tierCounts = route.tiers.map((t) => get(policyField.tier(id, t.name)));
  const answered = tierCounts.reduce((a, b) => a + b, 0);
  const budget = route.budget?.monthlyUSD;
  const counters = view.experiments.get(id);
  return {
    month: view.month,
    proxies: view.pods.length,
    requests,
    spendUSD: usd(spend),
    ...(budget === undefined
      ? {}
      : { budgetUSD: budget, budgetUsedPercent: Math.round((1000 * spend) / budget) / 10 }),
    judgeSpendUSD: usd(get(policyField.judgeUSD(id))),
    costAvoidedUSD: usd(get(policyField.avoidedUSD(id))),
    ...(requests > 0
      ? {
          cacheHitRatePercent: pct(get(policyField.cacheHits(id)), requests),
          successRatePercent: pct(get(policyField.successes(id)), requests),
        }
      : {}),
    tiers: route.tiers.map((tier, i) => ({
      name: tier.name,
      requests: tierCounts[i] ?? 0,
      sharePercent: answered > 0 ? pct(tierCounts[i] ?? 0, answered) : 0,
    })),
    ...(route.experiment === undefined
      ? {}
      : { experiment: experimentReport(route, route.experiment, counters ?? new Map()) }),
  };
}

function buckets(counters: ReadonlyMap<string, number>, field: (i: number) => string): number[] {
  return Array.from(
    { length: LATENCY_BOUNDS_MS.length + 1 },
    (_, i) => counters.get(field(i)) ?? 0,
  );
}

function pct(part: number, whole: number): number {
  return Math.min(100, Math.round((1000 * part) / whole) / 10);
}

function usd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function score(value: number): number {
  return Math.round(Math.min(10, Math.max(1, value)) * 100) / 100;
}
