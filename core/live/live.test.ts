import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouterConfig } from '../config/router-config.ts';
import { policyField, targetField, type DemotionRecord, type ScoreRecord } from './fleet-keys.ts';
import { bucketOf, LATENCY_BOUNDS_MS, quantileOf } from './latency-buckets.ts';
import { liveStatuses, type FleetView } from './live-summary.ts';

test('a quantile is interpolated inside its bucket, as histogram_quantile does', () => {
  const counts = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  counts[bucketOf(90)] = 100; // (75, 100]
  assert.equal(quantileOf(counts, 0.95), 75 + 25 * 0.95);
  assert.equal(quantileOf(new Array<number>(24).fill(0), 0.95), undefined);
  counts[bucketOf(1e9)] = 1000;
  assert.equal(
    quantileOf(counts, 0.99),
    LATENCY_BOUNDS_MS.at(-1),
    'overflow reports the last bound',
  );
});

const config = {
  schemaVersion: 1,
  configHash: '0'.repeat(64),
  providers: [
    { name: 'cheap', namespace: 'ai', models: [{ name: 'small' }, { name: 'big' }] },
    { name: 'quiet', namespace: 'ai', models: [{ name: 'm' }] },
  ],
  routes: [
    {
      alias: 'auto',
      namespace: 'ai',
      policy: 'auto',
      tiers: [
        { name: 'budget', strategy: 'ordered', targets: [{ provider: 'cheap', model: 'small' }] },
        { name: 'premium', strategy: 'ordered', targets: [{ provider: 'cheap', model: 'big' }] },
      ],
      budget: { monthlyUSD: 10, downgradeAtPercent: 80, onExhausted: 'cheapest' },
    },
  ],
} as unknown as RouterConfig;

function view(overrides: Partial<FleetView> = {}): FleetView {
  const recent = new Map<string, number>([
    [targetField.attempts('cheap/small'), 200],
    [targetField.errors('cheap/small'), 2],
    [targetField.latency('cheap/small', bucketOf(90)), 198],
    [targetField.attempts('cheap/big'), 20],
    [targetField.errors('cheap/big'), 4],
  ]);
  const monthly = new Map<string, number>([
    [targetField.spendUSD('cheap/small'), 0.5],
    [targetField.spendUSD('cheap/big'), 1.25],
    [policyField.requests('ai/auto'), 400],
    [policyField.cacheHits('ai/auto'), 100],
    [policyField.successes('ai/auto'), 290],
    [policyField.spendUSD('ai/auto'), 2.5],
    [policyField.judgeUSD('ai/auto'), 0.75],
    [policyField.avoidedUSD('ai/auto'), 4],
    [policyField.tier('ai/auto', 'budget'), 240],
    [policyField.tier('ai/auto', 'premium'), 60],
  ]);
  return {
    month: '2026-12',
    pods: [
      { pod: 'a', at: 0, circuits: { 'cheap/small': 'closed' } },
      { pod: 'b', at: 0, circuits: { 'cheap/small': 'open' } },
    ],
    recent,
    monthly,
    scores: new Map<string, ScoreRecord>([
      ['ai/auto|cheap/small', { mean: 4.2, samples: 30, at: 0 }],
    ]),
    demoted: new Map<string, DemotionRecord>(),
    experiments: new Map(),
    ...overrides,
  };
}

test('a provider shows each model: circuits across the fleet, errors, p95, quality and spend', () => {
  const { providers } = liveStatuses(config, view());
  const cheap = providers.get('ai/cheap')!;
  assert.equal(cheap.proxies, 2);
  assert.equal(cheap.spendUSD, 1.75);
  assert.equal(cheap.health, 'CircuitOpen', 'open on one proxy');
  const [small, big] = cheap.models;
  assert.deepEqual(
    [small?.circuit, small?.openOnProxies, small?.requests, small?.errorRatePercent],
    ['open', 1, 200, 1],
  );
  assert.equal(small?.p95LatencyMs, Math.round(75 + 25 * ((0.95 * 198) / 198)));
  assert.deepEqual(small?.quality, { score: 4.2, samples: 30 });
  assert.equal(small?.demoted, false);
  assert.equal(big?.errorRatePercent, 20);
  assert.equal(providers.get('ai/quiet')?.health, 'Idle');
});

test('a demotion anywhere makes the model and its provider Demoted, naming the policy', () => {
  const demoted = new Map<string, DemotionRecord>([
    ['ai/auto|cheap/small', { since: 0, mean: 4.2, samples: 30, below: 5, restoreAbove: 6.5 }],
  ]);
  const cheap = liveStatuses(config, view({ demoted })).providers.get('ai/cheap')!;
  assert.equal(cheap.health, 'Demoted');
  assert.equal(cheap.demotedModels, 1);
  assert.deepEqual(cheap.models[0]?.demotedIn, ['ai/auto']);
});

test('a policy shows spend against budget, tier shares, cache hits and cost avoided', () => {
  const auto = liveStatuses(config, view()).policies.get('ai/auto')!;
  assert.deepEqual(
    [auto.requests, auto.spendUSD, auto.budgetUSD, auto.budgetUsedPercent, auto.judgeSpendUSD],
    [400, 2.5, 10, 25, 0.75],
  );
  assert.deepEqual([auto.cacheHitRatePercent, auto.successRatePercent], [25, 72.5]);
  assert.equal(auto.costAvoidedUSD, 4);
  assert.deepEqual(auto.tiers, [
    { name: 'budget', requests: 240, sharePercent: 80 },
    { name: 'premium', requests: 60, sharePercent: 20 },
  ]);
  assert.equal(auto.experiment, undefined);
});

test('with no proxy up and no counters, figures are zero and nothing is guessed', () => {
  const empty = view({ pods: [], recent: new Map(), monthly: new Map(), scores: new Map() });
  const { providers, policies } = liveStatuses(config, empty);
  const cheap = providers.get('ai/cheap')!;
  assert.deepEqual([cheap.proxies, cheap.health, cheap.spendUSD], [0, 'Idle', 0]);
  assert.equal(cheap.models[0]?.errorRatePercent, undefined);
  assert.equal(cheap.models[0]?.quality, undefined);
  assert.equal(policies.get('ai/auto')?.cacheHitRatePercent, undefined);
});
