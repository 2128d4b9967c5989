import { builtinScorer } from '../difficulty/builtin.ts';
import { scoreDifficulty } from '../difficulty/model.ts';
import type { BuiltinScorer } from '../difficulty/scorer-names.ts';
import type { Classification } from './classify.ts';
import type { IndexedRoute } from './route-index.ts';
import type { RoutingInput } from './routing-input.ts';

/**
 * The tier the built-in difficulty scorer picks, when the policy has one: the most capable tier
 * whose `minScore` the request's score reaches, else the default tier. Pure, in-process and
 * bounded (see scoreDifficulty); undefined when the policy has no scorer.
 */
export function classifyByScorer(
  route: IndexedRoute,
  input: RoutingInput,
): Classification | undefined {
  const scorer = route.config.classification.scorer;
  if (scorer === undefined) return undefined;
  const score = scoreDifficulty(builtinScorer(scorer.model as BuiltinScorer), input);
  const tier =
    scorer.thresholds.find((t) => score >= t.minScore)?.tier ?? route.config.classification.default;
  return { tier, source: 'scorer', preferTags: [], score };
}
