import { DEMOTION_DEFAULTS } from '../api/quality-defaults.ts';
import type { RouteConfig } from '../config/router-config.ts';

/** The rolling window of a policy without demotion (scores are still kept, for status). */
export const DEFAULT_QUALITY_WINDOW = DEMOTION_DEFAULTS.window;

/** The rolling window of one target's judged scores. */
export interface WindowStats {
  /** Mean score, undefined when the window is empty. */
  mean: number | undefined;
  count: number;
}

/** Mean and count of the newest `size` scores (newest first, as the window list holds them). */
export function windowStats(scores: readonly number[], size: number): WindowStats {
  const kept = scores.slice(0, size);
  if (kept.length === 0) return { mean: undefined, count: 0 };
  let sum = 0;
  for (const score of kept) sum += score;
  return { mean: sum / kept.length, count: kept.length };
}

/** What a new score means for a target's standing. */
export type DemotionStep = 'demote' | 'restore' | 'hold';

/**
 * Hysteresis: a target in good standing is demoted when its mean over at least minSamples falls
 * below `below`; a demoted one is restored when its mean (over at least minSamples) rises above
 * `restoreAbove`. Between the two lines nothing changes, so a target near one line cannot flap.
 * Whether the demotion may happen at all (never the policy's last target) is the store's call.
 */
export function demotionStep(
  demotion: NonNullable<NonNullable<RouteConfig['quality']>['demotion']>,
  stats: WindowStats,
  demoted: boolean,
): DemotionStep {
  if (stats.mean === undefined || stats.count < demotion.minSamples) return 'hold';
  if (!demoted && stats.mean < demotion.below) return 'demote';
  if (demoted && stats.mean > demotion.restoreAbove) return 'restore';
  return 'hold';
}

/**
 * Every target of a route that the quality loop grades (each once): the pool that must keep at
 * least one member in good standing.
 */
export function gradedTargets(route: Pick<RouteConfig, 'tiers'>): string[] {
  const keys = new Set<string>();
  for (const tier of route.tiers)
    for (const t of tier.targets) keys.add(`${t.provider}/${t.model}`);
  return [...keys];
}
