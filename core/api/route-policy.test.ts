import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routePolicy } from './route-policy.ts';

const policy = (spec: Record<string, unknown>) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'RoutePolicy',
  metadata: { name: 'auto' },
  spec: {
    model: 'auto',
    tiers: [{ name: 'budget', targets: [{ provider: 'deepseek', model: 'deepseek-chat' }] }],
    ...spec,
  },
});

const issuesOf = (spec: Record<string, unknown>) =>
  routePolicy
    .safeParse(policy(spec))
    .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

test('a policy with one tier gets the default strategy, weights, classification and failover', () => {
  const { spec } = routePolicy.parse(policy({}));
  assert.equal(spec.tiers[0]?.strategy, 'cheapest');
  assert.equal(spec.tiers[0]?.targets[0]?.weight, 1);
  assert.deepEqual(spec.classification, { rules: [], allowClientTier: false });
  // The timeouts and backoffs are derived when compiled (derived-defaults.ts), so they stay unset.
  assert.deepEqual(spec.failover, {
    maxAttempts: 4,
    retries: { max: 1, onStatus: [429, 500, 502, 503, 504] },
    escalate: true,
    hedgeAfterMs: 0,
  });
  assert.equal(spec.governance, undefined);
  assert.equal(spec.cache, undefined);
});

test('a governance block defaults its sensitivity header', () => {
  const { spec } = routePolicy.parse(policy({ governance: { pool: { trainsOnData: false } } }));
  assert.deepEqual(spec.governance?.sensitive, {
    header: 'x-switchyard-sensitivity',
    patterns: [],
  });
});

const ACCEPTED_ALONE: [string, Record<string, unknown>][] = [
  ['a 3-second attempt timeout (the TTFT timeout follows it down)', { attemptTimeoutMs: 3000 }],
  ['a TTFT timeout above the default attempt timeout', { ttftTimeoutMs: 60000 }],
  ['a total timeout below the default attempt timeout', { totalTimeoutMs: 1000 }],
  ['an attempt timeout above the default total timeout', { attemptTimeoutMs: 300000 }],
  ['a hedge after the default attempt timeout', { hedgeAfterMs: 40000 }],
  ['a first backoff above the default largest backoff', { retries: { initialBackoffMs: 5000 } }],
  ['a largest backoff below the default first backoff', { retries: { maxBackoffMs: 100 } }],
];

for (const [name, failover] of ACCEPTED_ALONE) {
  test(`a policy with only ${name} is accepted`, () => {
    assert.deepEqual(issuesOf({ failover }), []);
  });
}

const target = (provider: string, model: string, weight?: number) =>
  weight === undefined ? { provider, model } : { provider, model, weight };
const rule = (fields: Record<string, unknown>) => ({
  classification: { rules: [{ name: 'r', tier: 'budget', match: { hasTools: true }, ...fields }] },
});

const REJECTIONS: [string, Record<string, unknown>, string][] = [
  [
    'the same target twice in a tier',
    { tiers: [{ name: 'budget', targets: [target('p', 'm'), target('p', 'm')] }] },
    'spec.tiers.0.targets: targets must be unique within a tier',
  ],
  [
    'a weighted tier whose weights are all zero',
    { tiers: [{ name: 'budget', strategy: 'weighted', targets: [target('p', 'm', 0)] }] },
    'spec.tiers.0.targets: a weighted tier needs at least one target with weight > 0',
  ],
  [
    'a default tier that does not exist',
    { classification: { default: 'premium' } },
    'spec.classification.default: classification.default must name one of spec.tiers',
  ],
  [
    'a rule sending requests to a tier that does not exist',
    rule({ tier: 'premium' }),
    "spec.classification.rules: every classification rule's tier must name one of spec.tiers",
  ],
  [
    'a rule with an empty match',
    rule({ match: {} }),
    'spec.classification.rules.0.match: match needs at least one condition',
  ],
  [
    'a rule whose prompt size range is empty',
    rule({ match: { minPromptTokens: 10, maxPromptTokens: 5 } }),
    'spec.classification.rules.0.match.minPromptTokens: minPromptTokens must not exceed maxPromptTokens',
  ],
  [
    'an empty metadata key',
    rule({ match: { metadata: { '': 'x' } } }),
    'spec.classification.rules.0.match.metadata: metadata keys must be 1 to 64 characters',
  ],
  [
    'a time-to-first-token timeout above the attempt timeout',
    { failover: { attemptTimeoutMs: 3000, ttftTimeoutMs: 5000 } },
    'spec.failover.ttftTimeoutMs: ttftTimeoutMs must not exceed attemptTimeoutMs',
  ],
  [
    'a time-to-first-token timeout above the total timeout',
    { failover: { ttftTimeoutMs: 5000, totalTimeoutMs: 3000 } },
    'spec.failover.ttftTimeoutMs: ttftTimeoutMs must not exceed totalTimeoutMs',
  ],
  [
    'a hedge that never fires before the request times out',
    { failover: { hedgeAfterMs: 3000, totalTimeoutMs: 3000 } },
    'spec.failover.hedgeAfterMs: hedgeAfterMs must be less than totalTimeoutMs',
  ],
  [
    'an attempt timeout above the total timeout',
    { failover: { attemptTimeoutMs: 60000, totalTimeoutMs: 30000 } },
    'spec.failover.attemptTimeoutMs: attemptTimeoutMs must not exceed totalTimeoutMs',
  ],
  [
    'a hedge that never fires before the attempt times out',
    { failover: { hedgeAfterMs: 3000, attemptTimeoutMs: 3000 } },
    'spec.failover.hedgeAfterMs: hedgeAfterMs must be less than attemptTimeoutMs',
  ],
  [
    'a first backoff above the largest backoff',
    { failover: { retries: { initialBackoffMs: 3000, maxBackoffMs: 2000 } } },
    'spec.failover.retries.initialBackoffMs: initialBackoffMs must not exceed maxBackoffMs',
  ],
  [
    'a governance pool that requires nothing',
    { governance: { pool: {} } },
    'spec.governance.pool: pool needs at least one requirement',
  ],
  [
    'a cache with neither kind of cache',
    { cache: {} },
    'spec.cache: cache needs exact, semantic or both',
  ],
  [
    'two tiers with the same name',
    {
      tiers: [
        { name: 'a', targets: [target('p', 'm')] },
        { name: 'a', targets: [target('p', 'n')] },
      ],
    },
    'spec.tiers: tier names must be unique',
  ],
];

for (const [name, spec, message] of REJECTIONS) {
  test(`a policy with ${name} is rejected with a message that says so`, () => {
    const issues = issuesOf(spec);
    assert.ok(
      issues.some((issue) => issue.startsWith(message)),
      issues.join('\n'),
    );
  });
}
