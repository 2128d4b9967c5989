/** One point of the quality-versus-cost curve. */
export interface CurvePoint {
  /** Share of prompts routed to the top tier, 0 to 1. */
  topShare: number;
  /**
   * Cost between always-cheapest (0) and always-top (1): the x axis of the curve, equal to
   * `topShare` when every prompt costs the same.
   */
  costShare: number;
  /** Mean grade of the tiers the prompts were routed to. */
  quality: number;
}

/**
 * Performance gap recovered: where `quality` lies between always-cheapest (0) and always-top
 * (1). 0 when the two are equal (there is no gap to recover).
 */
export function performanceGapRecovered(quality: number, cheapest: number, top: number): number {
  return top === cheapest ? 0 : (quality - cheapest) / (top - cheapest);
}

/**
 * RouteLLM's APGR: the area under performance-gap-recovered against cost share, from 0
 * (always-cheapest) to 1 (always-top), by the trapezoid rule over the given points plus both
 * ends. Routing at random scores 0.5 in expectation; a perfect router approaches 1.
 */
export function averagePgr(points: readonly CurvePoint[], cheapest: number, top: number): number {
  const xy = points.map((p) => ({
    x: clamp01(p.costShare),
    y: performanceGapRecovered(p.quality, cheapest, top),
  }));
  xy.push({ x: 0, y: 0 }, { x: 1, y: 1 });
  xy.sort((a, b) => a.x - b.x || a.y - b.y);
  let area = 0;
  for (let i = 1; i < xy.length; i++) {
    const a = xy[i - 1] as { x: number; y: number };
    const b = xy[i] as { x: number; y: number };
    area += ((b.x - a.x) * (a.y + b.y)) / 2;
  }
  return area;
}

/**
 * The curve of a two-tier router that sends the highest-scoring prompts to the top tier, for
 * every cut: what a threshold sweep gives, computed directly from scores (prompts that score
 * the same move together). Each prompt costs the same here. For training, where the decision
 * code is not involved; `switchyard eval` sweeps through the real decision function.
 */
export function curveFromScores(
  scores: readonly number[],
  cheapGrades: readonly number[],
  topGrades: readonly number[],
): CurvePoint[] {
  const n = scores.length;
  if (n === 0) return [];
  const order = [...scores.keys()].sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let quality = cheapGrades.reduce((s, g) => s + g, 0);
  const points: CurvePoint[] = [{ topShare: 0, costShare: 0, quality: quality / n }];
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    quality += (topGrades[i] as number) - (cheapGrades[i] as number);
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    const share = (k + 1) / n;
    points.push({ topShare: share, costShare: share, quality: quality / n });
  }
  return points;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
