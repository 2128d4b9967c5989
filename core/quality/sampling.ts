import type { RouteConfig } from '../config/router-config.ts';

/**
 * How sampling is decided. Before a request runs, its answer is *captured* (the stream's text
 * kept) with the highest sampling share of the tiers it may be answered from; once the winner's
 * tier is known, a captured answer is judged with probability tierShare ÷ captureShare. Each tier
 * is then sampled at exactly its own share, yet only the requests that may be judged pay for
 * collecting their streamed text.
 */
export function captureShare(
  quality: NonNullable<RouteConfig['quality']>,
  tiers: readonly string[],
): number {
  let share = 0;
  for (const tier of tiers) share = Math.max(share, tierShare(quality, tier));
  return share;
}

/** The share of a tier's answers that are judged, 0 to 1. */
export function tierShare(quality: NonNullable<RouteConfig['quality']>, tier: string): number {
  return (quality.tierSamplePercent[tier] ?? quality.samplePercent) / 100;
}

/**
 * Whether a captured answer from `tier` is judged, given the share it was captured with and a
 * uniform draw in [0, 1). A probation answer (a request let through to a demoted target) is
 * always judged: it is how a demoted target earns its way back.
 */
export function judgeCaptured(
  quality: NonNullable<RouteConfig['quality']>,
  tier: string,
  captured: number,
  draw: number,
  probation: boolean,
): boolean {
  if (probation) return true;
  if (captured <= 0) return false;
  return draw < tierShare(quality, tier) / captured;
}
