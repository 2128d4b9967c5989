import type { PolicyLiveStatus } from '../api/live-status.ts';
import type { RouteConfig } from '../config/router-config.ts';
import { LATENCY_BOUNDS_MS, quantileOf } from '../live/latency-buckets.ts';
import { armField } from '../live/fleet-keys.ts';
import type { Arm } from './assign-arm.ts';

/** The two-sided 95 % normal quantile: samples here are large, so z rather than t. */
export const Z_95 = 1.959963984540054;

type ExperimentLive = NonNullable<PolicyLiveStatus['experiment']>;
type ArmLive = ExperimentLive['arms'][number];
type Interval = NonNullable<NonNullable<ExperimentLive['difference']>['qualityScore']>;

/** One arm's sums, read from the experiment's counters. */
export interface ArmSums {
  n: number;
  errors: number;
  successes: number;
  cost: number;
  costSquared: number;
  successCost: number;
  score: number;
  scoreSquared: number;
  judged: number;
  latency: number[];
}

/** The sums of an arm from an experiment's counter hash. */
export function armSums(counters: ReadonlyMap<string, number>, arm: Arm): ArmSums {
  const get = (field: string): number => counters.get(field) ?? 0;
  return {
    n: get(armField.requests(arm)),
    errors: get(armField.errors(arm)),
    successes: get(armField.successes(arm)),
    cost: get(armField.cost(arm)),
    costSquared: get(armField.costSquared(arm)),
    successCost: get(armField.successCost(arm)),
    score: get(armField.score(arm)),
    scoreSquared: get(armField.scoreSquared(arm)),
    judged: get(armField.judged(arm)),
    latency: Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) =>
      get(armField.latency(arm, i)),
    ),
  };
}

/**
 * The report of an experiment: per arm, requests, errors, successes, cost per request, cost per
 * successful request, judged quality and p95 latency; and each difference (variant − control) with
 * a 95 % confidence interval — Welch's for means, Wald's for the error rate, the delta method for
 * cost per successful request (a ratio of two means). Figures a sample cannot support (fewer than
 * two requests or judged answers on an arm) are left out.
 */
export function experimentReport(
  route: Pick<RouteConfig, 'namespace' | 'policy'>,
  experiment: NonNullable<RouteConfig['experiment']>,
  counters: ReadonlyMap<string, number>,
): ExperimentLive {
  const control = armSums(counters, 'control');
  const variant = armSums(counters, 'variant');
  const total = control.n + variant.n;
  const difference = {
    ...interval(
      'costPerRequestUSD',
      meanAndVariance(control.n, control.cost, control.costSquared),
      meanAndVariance(variant.n, variant.cost, variant.costSquared),
      1e8,
    ),
    ...interval('costPerSuccessUSD', ratioEstimate(control), ratioEstimate(variant), 1e8),
    ...interval(
      'qualityScore',
      meanAndVariance(control.judged, control.score, control.scoreSquared),
      meanAndVariance(variant.judged, variant.score, variant.scoreSquared),
      1e3,
    ),
    ...interval(
      'errorRatePercent',
      proportion(control.n, control.errors),
      proportion(variant.n, variant.errors),
      1e3,
    ),
  };
  return {
    name: experiment.name,
    percent: experiment.percent,
    ...(total > 0 ? { variantSharePercent: round((100 * variant.n) / total, 1e2) } : {}),
    arms: [
      armLive('control', `${route.namespace}/${route.policy}`, control),
      armLive('variant', `${route.namespace}/${experiment.variantPolicy}`, variant),
    ],
    ...(Object.keys(difference).length === 0 ? {} : { difference }),
  };
}

function armLive(arm: Arm, policy: string, s: ArmSums): ArmLive {
  const p95 = quantileOf(s.latency, 0.95);
  return {
    arm,
    policy,
    requests: s.n,
    errors: s.errors,
    successes: s.successes,
    ...(s.n > 0 ? { costPerRequestUSD: round(s.cost / s.n, 1e8) } : {}),
    ...(s.successes > 0 ? { costPerSuccessUSD: round(s.cost / s.successes, 1e8) } : {}),
    ...(s.judged > 0
      ? { quality: { score: round(clampScore(s.score / s.judged), 1e2), samples: s.judged } }
      : {}),
    ...(p95 === undefined ? {} : { p95LatencyMs: round(p95, 1) }),
  };
}

/** A sample mean and the variance of that mean; undefined below two observations. */
interface Estimate {
  mean: number;
  variance: number;
}

function meanAndVariance(n: number, sum: number, sumSquares: number): Estimate | undefined {
  if (n < 2) return undefined;
  const mean = sum / n;
  const sampleVariance = Math.max(0, (sumSquares - n * mean * mean) / (n - 1));
  return { mean, variance: sampleVariance / n };
}

/** An error rate in percent and its variance (Wald). */
function proportion(n: number, hits: number): Estimate | undefined {
  if (n < 2) return undefined;
  const p = hits / n;
  return { mean: 100 * p, variance: (100 * 100 * p * (1 - p)) / n };
}

/**
 * Cost per successful request, R = Σcost ÷ Σsuccess, with the delta method's variance:
 * Var(R) ≈ (Var(c) − 2R·Cov(c, s) + R²·Var(s)) ÷ (n · mean(s)²), s the 0/1 success of a request.
 */
function ratioEstimate(s: ArmSums): Estimate | undefined {
  if (s.n < 2 || s.successes === 0) return undefined;
  const meanCost = s.cost / s.n;
  const meanSuccess = s.successes / s.n;
  const ratio = s.cost / s.successes;
  const varCost = Math.max(0, s.costSquared / s.n - meanCost * meanCost);
  const varSuccess = meanSuccess * (1 - meanSuccess);
  const covariance = s.successCost / s.n - meanCost * meanSuccess;
  const numerator = varCost - 2 * ratio * covariance + ratio * ratio * varSuccess;
  return {
    mean: ratio,
    variance: Math.max(0, numerator) / (s.n * meanSuccess * meanSuccess),
  };
}

function interval(
  name: string,
  control: Estimate | undefined,
  variant: Estimate | undefined,
  scale: number,
): Record<string, Interval> {
  if (control === undefined || variant === undefined) return {};
  const estimate = variant.mean - control.mean;
  const half = Z_95 * Math.sqrt(control.variance + variant.variance);
  return {
    [name]: {
      estimate: round(estimate, scale),
      low: round(estimate - half, scale),
      high: round(estimate + half, scale),
    },
  };
}

function clampScore(score: number): number {
  return Math.min(10, Math.max(1, score));
}

function round(value: number, scale: number): number {
  return Math.round(value * scale) / scale;
}
