import type { RoutePolicySpec } from '../api/route-policy.ts';
import type { RouteConfig } from '../config/router-config.ts';
import { builtinScorer } from '../difficulty/builtin.ts';
import { thresholdForShare } from '../difficulty/model.ts';

type ScorerSpec = NonNullable<RoutePolicySpec['classification']['scorer']>;
type ScorerConfig = NonNullable<RouteConfig['classification']['scorer']>;

/**
 * The scorer as the proxies run it: explicit thresholds kept (most capable tier first), a
 * `premiumShare` turned into the top tier's threshold through the model's score percentiles,
 * and neither giving the model's default threshold for the top tier. Done here, once, so every
 * proxy and `switchyard explain` use the same numbers.
 */
export function scorerConfigOf(
  scorer: ScorerSpec,
  tiers: readonly { name: string }[],
): ScorerConfig {
  const order = (tier: string) => tiers.findIndex((t) => t.name === tier);
  if (scorer.thresholds !== undefined) {
    const thresholds = [...scorer.thresholds]
      .sort((a, b) => order(b.tier) - order(a.tier))
      .map((t) => ({ tier: t.tier, minScore: t.minScore }));
    return { model: scorer.model, thresholds, from: 'thresholds' };
  }
  const model = builtinScorer(scorer.model);
  const top = tiers[tiers.length - 1]?.name ?? '';
  if (scorer.premiumShare !== undefined) {
    const minScore = round(thresholdForShare(model.percentiles, scorer.premiumShare));
    return { model: scorer.model, thresholds: [{ tier: top, minScore }], from: 'premiumShare' };
  }
  return {
    model: scorer.model,
    thresholds: [{ tier: top, minScore: model.defaultThreshold }],
    from: 'default',
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
