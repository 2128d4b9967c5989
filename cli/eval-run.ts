import type { Classification } from '../core/routing/classify.ts';
import { classifyByScorer } from '../core/routing/classify-by-scorer.ts';
import {
  decide,
  sensitivityOf,
  type AskClassifier,
  type AskEmbeddings,
  type RouteDecision,
} from '../core/routing/decide.ts';
import { expectedCostUSD, plan, type Plan } from '../core/routing/plan.ts';
import type { IndexedRoute } from '../core/routing/route-index.ts';
import type { RoutingInput } from '../core/routing/routing-input.ts';
import { averagePgr, performanceGapRecovered, type CurvePoint } from '../core/eval/curve.ts';
import type { DatasetItem } from '../core/eval/dataset.ts';
import { summarise, type EvalOutcome, type EvalSummary } from '../core/eval/metrics.ts';
import { routingInputFor } from '../core/routing/request-input.ts';

/** A prompt ready to route: its routing input and what the baselines cost. */
export interface PreparedItem {
  item: DatasetItem;
  input: RoutingInput;
  sensitive: boolean;
  cheapestCostUSD: number;
  topCostUSD: number;
}

/** Routes one request as a proxy with every circuit closed would. */
export type Decide = (route: IndexedRoute, item: PreparedItem) => Promise<RouteDecision>;

/**
 * The proxy's own decision function (core/routing/decide.ts) with every circuit closed, no
 * budget pressure and, unless `live` signals are given, no network: the classifier model and
 * the embeddings signal are then not asked, as in `switchyard explain`.
 */
export function decideWith(
  live: { askClassifier?: AskClassifier; askEmbeddings?: AskEmbeddings } = {},
): Decide {
  return (route, prepared) => {
    const resolution = { routeName: route.config.alias, route, direct: undefined };
    return decide(resolution, prepared.input, prepared.sensitive, {
      health: () => ({ circuit: 'closed' }),
      random: () => 0,
      budget: 'normal',
      ...live,
    });
  };
}

/** Builds the routing input of every item once, with `outputTokens` where a request sets none. */
export function prepare(
  route: IndexedRoute,
  items: readonly DatasetItem[],
  outputTokens: number | undefined,
): PreparedItem[] {
  const tiers = route.tiers.map((t) => t.name);
  return items.map((item) => {
    const base = routingInputFor(item.request, item.headers);
    const input =
      base.maxOutputTokens === undefined && outputTokens !== undefined
        ? { ...base, maxOutputTokens: outputTokens }
        : base;
    const sensitive = sensitivityOf(
      { routeName: route.config.alias, route, direct: undefined },
      input,
    );
    const costOn = (tier: string) =>
      firstCost(
        planFor(route, { tier, source: 'default', preferTags: [] }, input, sensitive),
        input,
      );
    return {
      item,
      input,
      sensitive,
      cheapestCostUSD: costOn(tiers[0] as string),
      topCostUSD: costOn(tiers[tiers.length - 1] as string),
    };
  });
}

/** Routes every item through `decide` and plan(), and summarises. */
export async function evaluate(
  route: IndexedRoute,
  prepared: readonly PreparedItem[],
  decide: Decide,
): Promise<{ outcomes: EvalOutcome[]; summary: EvalSummary }> {
  const outcomes: EvalOutcome[] = [];
  for (const p of prepared) {
    const { classification, routePlan } = await decide(route, p);
    const first = routePlan.attempts[0];
    outcomes.push({
      label: p.item.label,
      tier: first?.tier,
      source: classification.source,
      score: classification.score,
      costUSD: firstCost(routePlan, p.input),
      cheapestCostUSD: p.cheapestCostUSD,
      topCostUSD: p.topCostUSD,
      grades: p.item.grades,
    });
  }
  return {
    outcomes,
    summary: summarise(
      outcomes,
      route.tiers.map((t) => t.name),
    ),
  };
}

/** The route with its scorer's top-tier threshold replaced (lower tiers capped at it). */
export function withTopThreshold(route: IndexedRoute, minScore: number): IndexedRoute {
  const scorer = route.config.classification.scorer;
  if (scorer === undefined) return route;
  const top = route.tiers[route.tiers.length - 1]?.name ?? '';
  const others = scorer.thresholds
    .filter((t) => t.tier !== top)
    .map((t) => ({ tier: t.tier, minScore: Math.min(t.minScore, minScore) }));
  return {
    ...route,
    config: {
      ...route.config,
      classification: {
        ...route.config.classification,
        scorer: { ...scorer, thresholds: [{ tier: top, minScore }, ...others] },
      },
    },
  };
}

/** One point of the threshold sweep. */
export interface SweepPoint extends CurvePoint {
  threshold: number;
  /** Performance gap recovered at this point (null without grades). */
  pgr: number | null;
  /** Recall of the prompts labelled with the top tier. */
  topRecall: number | null;
  adequacy: number;
  /** True when quality beats random routing at the same cost share (null without grades). */
  beatsRandom: boolean | null;
}

/**
 * The sweep: the whole decision at each threshold. The thresholds are quantiles of the prompts'
 * own scores (from sending none of them up by score to sending all), so the points spread evenly
 * over the top tier's share however the scores cluster.
 */
export async function sweep(
  route: IndexedRoute,
  prepared: readonly PreparedItem[],
  decide: Decide,
  steps: number,
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const threshold of sweepThresholds(route, prepared, steps)) {
    const { summary } = await evaluate(withTopThreshold(route, threshold), prepared, decide);
    points.push(sweepPoint(summary, Math.min(1, threshold)));
  }
  return points;
}

/** Thresholds from above every score down to the lowest, at evenly spaced score quantiles. */
export function sweepThresholds(
  route: IndexedRoute,
  prepared: readonly PreparedItem[],
  steps: number,
): number[] {
  const scores = prepared
    .map((p) => classifyByScorer(route, p.input)?.score)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => b - a);
  // Above the highest score (and above 1, which no score reaches): nothing goes up by score.
  const thresholds = [Math.max(1, scores[0] ?? 0) + 1e-9];
  for (let i = 1; i <= steps && scores.length > 0; i++) {
    const at = Math.min(scores.length - 1, Math.ceil((i / steps) * scores.length) - 1);
    thresholds.push(scores[at] as number);
  }
  return [...new Set(thresholds)];
}

function sweepPoint(summary: EvalSummary, threshold: number): SweepPoint {
  const top = summary.tiers[summary.tiers.length - 1];
  const q = summary.quality;
  const pgr =
    q === undefined ? null : performanceGapRecovered(q.routed, q.alwaysCheapest, q.alwaysTop);
  const x = summary.cost.costShare;
  return {
    threshold,
    topShare: top?.share ?? 0,
    costShare: x,
    quality: q?.routed ?? 0,
    pgr,
    topRecall: top?.recall ?? null,
    adequacy: summary.adequacy,
    beatsRandom: pgr === null ? null : pgr > x,
  };
}

/** APGR of a sweep (null without grades). */
export function apgrOf(points: readonly SweepPoint[]): number | null {
  if (points.some((p) => p.pgr === null)) return null;
  // Points carry pgr already; averagePgr wants quality on the cheapest→top scale, so pass it 0/1.
  return averagePgr(
    points.map((p) => ({ ...p, quality: p.pgr as number })),
    0,
    1,
  );
}

/**
 * The top-tier threshold that sends `share` of the prompts to the top tier through the whole
 * decision (rules included), by bisection: RouteLLM's calibration, on the user's own data.
 */
export async function calibrate(
  route: IndexedRoute,
  prepared: readonly PreparedItem[],
  decide: Decide,
  share: number,
): Promise<{ threshold: number; topShare: number }> {
  let low = 0;
  let high = 1;
  const shareAt = async (t: number) => {
    const { summary } = await evaluate(withTopThreshold(route, t), prepared, decide);
    return summary.tiers[summary.tiers.length - 1]?.share ?? 0;
  };
  for (let i = 0; i < 20; i++) {
    const mid = (low + high) / 2;
    // Higher threshold, smaller share: move toward the target.
    if ((await shareAt(mid)) > share) low = mid;
    else high = mid;
  }
  const threshold = Math.round(high * 1e4) / 1e4;
  return { threshold, topShare: await shareAt(threshold) };
}

function planFor(
  route: IndexedRoute,
  classification: Classification,
  input: RoutingInput,
  sensitive: boolean,
): Plan {
  const latency = input.headers['x-switchyard-latency'];
  return plan(route, classification, input, {
    health: () => ({ circuit: 'closed' }),
    random: () => 0,
    latencyClass: latency === 'interactive' || latency === 'batch' ? latency : undefined,
    sensitive,
    budget: 'normal',
  });
}

/** Expected cost on the first planned target: what the request costs when that target answers. */
function firstCost(routePlan: Plan, input: RoutingInput): number {
  const first = routePlan.attempts[0];
  return first === undefined ? 0 : expectedCostUSD(first.target, input);
}
