import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteConfig } from '../config/router-config.ts';
import { armField } from '../live/fleet-keys.ts';
import { bucketOf } from '../live/latency-buckets.ts';
import { assignArm } from './assign-arm.ts';
import { experimentReport } from './experiment-report.ts';

type Experiment = NonNullable<RouteConfig['experiment']>;
const experiment = (overrides: Partial<Experiment> = {}): Experiment => ({
  name: 'cheap-first',
  variant: 'auto-cheap',
  variantPolicy: 'auto-cheap',
  percent: 20,
  stickyBy: 'tenant',
  ...overrides,
});

test('a tenant stays on one arm whatever the draw; tenants split near the percentage', () => {
  const e = experiment();
  for (const tenant of ['team-a', 'team-b', 'team-c']) {
    const arms = new Set([0, 0.3, 0.99].map((draw) => assignArm(e, tenant, draw)));
    assert.equal(arms.size, 1, `${tenant} moved between arms`);
  }
  let variant = 0;
  for (let i = 0; i < 10_000; i++) if (assignArm(e, `tenant-${i}`, 0) === 'variant') variant++;
  assert.ok(Math.abs(variant / 100 - 20) < 1.5, `${variant / 100} % of tenants on the variant`);
  const other = experiment({ name: 'another' });
  let moved = 0;
  for (let i = 0; i < 1000; i++) {
    if (assignArm(e, `tenant-${i}`, 0) !== assignArm(other, `tenant-${i}`, 0)) moved++;
  }
  assert.ok(moved > 100, 'another experiment shuffles tenants afresh');
});

test('requests without a tenant, or sticky by request, go by the draw', () => {
  assert.equal(assignArm(experiment(), undefined, 0.1), 'variant');
  assert.equal(assignArm(experiment(), undefined, 0.5), 'control');
  assert.equal(assignArm(experiment({ stickyBy: 'request' }), 'team-a', 0.19), 'variant');
  assert.equal(assignArm(experiment({ stickyBy: 'request' }), 'team-a', 0.2), 'control');
  assert.equal(assignArm(experiment({ percent: 0 }), undefined, 0), 'control');
  assert.equal(assignArm(experiment({ percent: 100 }), undefined, 0.999), 'variant');
});

/** Counters as the proxies add them, from per-request observations. */
function countersOf(
  arms: Record<
    string,
    { cost: number; ok: boolean; error?: boolean; score?: number | undefined; ms: number }[]
  >,
): Map<string, number> {
  const counters = new Map<string, number>();
  const add = (field: string, n: number): void => {
    counters.set(field, (counters.get(field) ?? 0) + n);
  };
  for (const [arm, requests] of Object.entries(arms)) {
    for (const r of requests) {
      add(armField.requests(arm), 1);
      add(armField.cost(arm), r.cost);
      add(armField.costSquared(arm), r.cost * r.cost);
      if (r.error === true) add(armField.errors(arm), 1);
      if (r.ok) {
        add(armField.successes(arm), 1);
        add(armField.successCost(arm), r.cost);
      }
      if (r.score !== undefined) {
        add(armField.score(arm), r.score);
        add(armField.scoreSquared(arm), r.score * r.score);
        add(armField.judged(arm), 1);
      }
      add(armField.latency(arm, bucketOf(r.ms)), 1);
    }
  }
  return counters;
}

test('the report gives each arm its figures and the differences with 95 % intervals', () => {
  const control = Array.from({ length: 100 }, (_, i) => ({
    cost: i % 2 === 0 ? 0.002 : 0.004,
    ok: i % 10 !== 0,
    error: i % 10 === 0,
    score: i % 4 === 0 ? 8 : undefined,
    ms: 120,
  }));
  const variant = Array.from({ length: 50 }, (_, i) => ({
    cost: 0.001,
    ok: true,
    score: i % 5 === 0 ? 6 : undefined,
    ms: 80,
  }));
  const report = experimentReport(
    { namespace: 'ai', policy: 'auto' },
    experiment(),
    countersOf({ control, variant }),
  );
  const [c, v] = report.arms;
  assert.deepEqual(
    [c?.policy, c?.requests, c?.errors, c?.successes, c?.costPerRequestUSD, c?.quality],
    ['ai/auto', 100, 10, 90, 0.003, { score: 8, samples: 25 }],
  );
  assert.equal(c?.costPerSuccessUSD, Math.round((0.3 / 90) * 1e8) / 1e8);
  assert.deepEqual([v?.policy, v?.requests, v?.costPerRequestUSD], ['ai/auto-cheap', 50, 0.001]);
  assert.equal(report.variantSharePercent, 33.33);
  const d = report.difference!;
  assert.equal(d.costPerRequestUSD?.estimate, -0.002);
  // The control's costs alternate 0.002/0.004: sd ≈ 0.001005, se ≈ 0.0001005; the variant's is 0.
  assert.ok(Math.abs((d.costPerRequestUSD.high - d.costPerRequestUSD.low) / 2 - 0.000197) < 2e-6);
  assert.equal(d.errorRatePercent?.estimate, -10);
  assert.equal(d.qualityScore?.estimate, -2);
  assert.ok(d.costPerSuccessUSD!.low < d.costPerSuccessUSD!.estimate);
  assert.ok(c.p95LatencyMs! > v!.p95LatencyMs!);
});

test('an experiment with too little traffic reports counts and no intervals', () => {
  const report = experimentReport(
    { namespace: 'ai', policy: 'auto' },
    experiment(),
    countersOf({ control: [{ cost: 0.001, ok: true, ms: 10 }] }),
  );
  assert.equal(report.difference, undefined);
  assert.equal(report.arms[1]?.requests, 0);
  assert.equal(report.arms[1]?.costPerRequestUSD, undefined);
});
