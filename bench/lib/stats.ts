/** Percentiles and summaries of latency samples. Every sample is in milliseconds. */

/** A summary of a set of samples (milliseconds). */
export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The p-th percentile (0..100) of ascending `sorted` samples, nearest-rank: the smallest sample
 * with at least p % of the samples at or below it. NaN when there are no samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Summarises samples (need not be sorted). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, x) => total + x, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Element-wise `a[i] − b[i]` of two runs measured in the same rounds (paired samples). */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.min(a.length, b.length);
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = (a[i] as number) - (b[i] as number);
  return out;
}

/**
 * Added latency of a gateway over a baseline measured in the same rounds, two ways: the
 * percentiles of the per-round differences (`paired`), and the difference of the percentiles
 * (`ofPercentiles`, the method behind the published gateway comparisons).
 */
export interface AddedLatency {
  paired: { p50: number; p99: number };
  ofPercentiles: { p50: number; p99: number };
}

/** Added latency of `gateway` over `baseline` (paired samples, milliseconds). */
export function addedLatency(
  gateway: readonly number[],
  baseline: readonly number[],
): AddedLatency {
  const diff = summarize(pairedDifferences(gateway, baseline));
  const g = summarize(gateway);
  const b = summarize(baseline);
  return {
    paired: { p50: diff.p50, p99: diff.p99 },
    ofPercentiles: { p50: g.p50 - b.p50, p99: g.p99 - b.p99 },
  };
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so runs are comparable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
