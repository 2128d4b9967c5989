import { performanceGapRecovered } from './curve.ts';

/** What routing did with one labelled prompt, and what the two baselines would have cost. */
export interface EvalOutcome {
  /** The cheapest adequate tier, from the dataset. */
  label: string;
  /** The tier it was routed to; undefined when no target could serve it. */
  tier: string | undefined;
  /** How the tier was chosen (rule, scorer, …). */
  source: string;
  /** The difficulty score, when the scorer was asked. */
  score: number | undefined;
  /** Expected cost on the first planned target (prompt estimate + output tokens). */
  costUSD: number;
  /** The same on the cheapest tier's and on the top tier's first target. */
  cheapestCostUSD: number;
  topCostUSD: number;
  /** Per-tier grades from the dataset, when given. */
  grades: Readonly<Record<string, number>> | undefined;
}

/** Figures for one tier. */
export interface TierFigures {
  tier: string;
  /** Prompts routed here, and their share of all prompts. */
  routed: number;
  share: number;
  /** Prompts whose label is this tier. */
  labelled: number;
  /** Of the prompts labelled with this tier, the share routed to it (null when none are). */
  recall: number | null;
  /** Of the prompts routed here, the share labelled with it (null when none were routed). */
  precision: number | null;
}

/** The figures `switchyard eval` prints, for one setting of the policy. */
export interface EvalSummary {
  prompts: number;
  /** Prompts no target could serve (capabilities, context window, governance). */
  refused: number;
  tiers: TierFigures[];
  /** How the tier was chosen, by source: counts. */
  sources: Record<string, number>;
  /** Share of prompts sent to a tier at least as capable as their label. */
  adequacy: number;
  /** Share sent to a tier more capable than needed. */
  overProvisioned: number;
  cost: {
    routedUSD: number;
    alwaysTopUSD: number;
    alwaysCheapestUSD: number;
    /** 1 − routed / always-top. */
    savedVsTop: number;
    /** Where the cost lies between always-cheapest (0) and always-top (1). */
    costShare: number;
  };
  /** Present when every prompt has grades. */
  quality: QualityFigures | undefined;
}

/** Mean grade of the routed tiers and of both baselines, and the gap recovered. */
export interface QualityFigures {
  routed: number;
  alwaysTop: number;
  alwaysCheapest: number;
  /** (routed − cheapest) / (top − cheapest): 1 is top-tier quality. */
  performanceGapRecovered: number;
}

/**
 * The grade of `tier` for a prompt: its own grade when the dataset gives one, else the grade of
 * the nearest less capable tier that has one (a tier is assumed no better than the one below it
 * that was graded), else of the nearest more capable one.
 */
export function gradeOf(
  grades: Readonly<Record<string, number>>,
  tier: string,
  tiers: readonly string[],
): number | undefined {
  const at = tiers.indexOf(tier);
  for (let i = at; i >= 0; i--) {
    const g = grades[tiers[i] as string];
    if (g !== undefined) return g;
  }
  for (let i = at + 1; i < tiers.length; i++) {
    const g = grades[tiers[i] as string];
    if (g !== undefined) return g;
  }
  return undefined;
}

/** Summarises routing outcomes; `tiers` are the policy's tiers, cheapest first. */
export function summarise(outcomes: readonly EvalOutcome[], tiers: readonly string[]): EvalSummary {
  const n = outcomes.length;
  const rank = (tier: string | undefined) => (tier === undefined ? -1 : tiers.indexOf(tier));
  const sources: Record<string, number> = {};
  let adequate = 0;
  let over = 0;
  for (const o of outcomes) {
    sources[o.source] = (sources[o.source] ?? 0) + 1;
    if (rank(o.tier) >= rank(o.label)) adequate++;
    if (rank(o.tier) > rank(o.label)) over++;
  }
  const sum = (f: (o: EvalOutcome) => number) => outcomes.reduce((s, o) => s + f(o), 0);
  const routedUSD = sum((o) => o.costUSD);
  const alwaysTopUSD = sum((o) => o.topCostUSD);
  const alwaysCheapestUSD = sum((o) => o.cheapestCostUSD);
  return {
    prompts: n,
    refused: outcomes.filter((o) => o.tier === undefined).length,
    tiers: tiers.map((tier) => tierFigures(outcomes, tier)),
    sources,
    adequacy: ratio(adequate, n),
    overProvisioned: ratio(over, n),
    cost: {
      routedUSD,
      alwaysTopUSD,
      alwaysCheapestUSD,
      savedVsTop: alwaysTopUSD === 0 ? 0 : 1 - routedUSD / alwaysTopUSD,
      costShare:
        alwaysTopUSD === alwaysCheapestUSD
          ? 0
          : (routedUSD - alwaysCheapestUSD) / (alwaysTopUSD - alwaysCheapestUSD),
    },
    quality: qualityOf(outcomes, tiers),
  };
}

function tierFigures(outcomes: readonly EvalOutcome[], tier: string): TierFigures {
  const routed = outcomes.filter((o) => o.tier === tier).length;
  const labelled = outcomes.filter((o) => o.label === tier).length;
  const hits = outcomes.filter((o) => o.tier === tier && o.label === tier).length;
  return {
    tier,
    routed,
    share: ratio(routed, outcomes.length),
    labelled,
    recall: labelled === 0 ? null : hits / labelled,
    precision: routed === 0 ? null : hits / routed,
  };
}

function qualityOf(
  outcomes: readonly EvalOutcome[],
  tiers: readonly string[],
): QualityFigures | undefined {
  if (outcomes.length === 0 || outcomes.some((o) => o.grades === undefined)) return undefined;
  const top = tiers[tiers.length - 1] as string;
  const cheapest = tiers[0] as string;
  let routed = 0;
  let alwaysTop = 0;
  let alwaysCheapest = 0;
  for (const o of outcomes) {
    const grades = o.grades as Readonly<Record<string, number>>;
    const g = (tier: string) => gradeOf(grades, tier, tiers) ?? 0;
    // A refused prompt earns nothing: no answer is the worst answer.
    routed += o.tier === undefined ? 0 : g(o.tier);
    alwaysTop += g(top);
    alwaysCheapest += g(cheapest);
  }
  const n = outcomes.length;
  return {
    routed: routed / n,
    alwaysTop: alwaysTop / n,
    alwaysCheapest: alwaysCheapest / n,
    performanceGapRecovered: performanceGapRecovered(routed / n, alwaysCheapest / n, alwaysTop / n),
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
