// Percentiles and trends of the operator benchmark's samples.

/** p50, p99 and max of a set of samples (milliseconds), with the count. */
export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * The p-th percentile (0..100), nearest-rank: the smallest sample with at least p % of the
 * samples at or below it (with 50 samples, p99 is the largest). NaN when there are none.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** p50, p99 and max of `samples`. */
export function percentiles(samples: readonly number[]): Percentiles {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? Number.NaN : Math.max(...samples),
  };
}

/** The median of `samples`. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** A least-squares line through points, and how far the points scatter around it. */
export interface Trend {
  /** Change of y per unit of x. */
  slope: number;
  intercept: number;
  /** Standard deviation of the residuals (same unit as y). */
  residualSd: number;
}

/** Fits y = slope·x + intercept by least squares; slope 0 with fewer than two distinct x. */
export function trend(points: readonly { x: number; y: number }[]): Trend {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: Number.NaN, residualSd: Number.NaN };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - meanX) * (p.y - meanY);
    sxx += (p.x - meanX) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  const squares = points.reduce((sum, p) => sum + (p.y - (slope * p.x + intercept)) ** 2, 0);
  return { slope, intercept, residualSd: Math.sqrt(squares / Math.max(1, n - 2)) };
}
