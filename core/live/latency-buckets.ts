/**
 * Upper bounds (ms) of the latency histograms the proxies count into the fleet's shared
 * counters; the last bucket is unbounded. Fine enough around 100 ms–2 s for a p95 within a few
 * percent, coarse enough that a target costs ~25 counters.
 */
export const LATENCY_BOUNDS_MS = [
  5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000,
  20000, 30000, 60000, 120000,
] as const;

/** The bucket index of a latency: the first bound at or above it, else the overflow bucket. */
export function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    if (ms <= (LATENCY_BOUNDS_MS[i] as number)) return i;
  }
  return LATENCY_BOUNDS_MS.length;
}

/**
 * A quantile from bucket counts, interpolated linearly inside its bucket as Prometheus'
 * histogram_quantile does; the overflow bucket reports the last bound. Undefined with no counts.
 */
export function quantileOf(counts: readonly number[], q: number): number | undefined {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c > 0 && seen + c >= rank) {
      const upper = LATENCY_BOUNDS_MS[i] ?? LATENCY_BOUNDS_MS.at(-1)!;
      if (i >= LATENCY_BOUNDS_MS.length) return upper;
      const lower = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] as number);
      return lower + ((upper - lower) * (rank - seen)) / c;
    }
    seen += c;
  }
  return LATENCY_BOUNDS_MS.at(-1);
}
