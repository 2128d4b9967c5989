import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyByRules, defaultClassification, parseClassifierAnswer } from './classify.ts';
import { plan, type PlanContext, type TargetHealth } from './plan.ts';
import { buildRouteIndex } from './route-index.ts';
import { isSensitive } from './governance.ts';
import { testConfig, testInput, testRoute } from './fixtures.test-support.ts';

const index = buildRouteIndex(testConfig());
const route = index.routes.get('auto')!;
const healthy = (): TargetHealth => ({ circuit: 'closed' });
const context = (overrides: Partial<PlanContext> = {}): PlanContext => ({
  health: healthy,
  random: () => 0.5,
  latencyClass: undefined,
  sensitive: false,
  budget: 'normal',
  ...overrides,
});
const keys = (p: ReturnType<typeof plan>) => p.attempts.map((a) => a.target.key);

test('classification: rules match in order, keywords case-insensitively, else the default tier', () => {
  const cases: [string, Parameters<typeof testInput>[0], string | undefined, string][] = [
    [
      'a keyword in any case picks the reasoning rule',
      { userTextLower: 'please think step-by-step' },
      'reasoning',
      'premium',
    ],
    ['a long prompt picks the long rule', { promptTokens: 7000 }, 'long', 'premium'],
    ['a header picks the code rule', { headers: { 'x-task': 'code' } }, 'code', 'budget'],
    ['nothing matching falls to the default', {}, undefined, 'budget'],
  ];
  for (const [name, input, rule, tier] of cases) {
    const c = classifyByRules(route, testInput(input)) ?? defaultClassification(route);
    assert.equal(c.rule, rule, name);
    assert.equal(c.tier, tier, name);
  }
});

test('classification: the client tier header is honoured only when the policy allows it', () => {
  const input = testInput({ headers: { 'x-switchyard-tier': 'premium' } });
  assert.equal(classifyByRules(route, input), undefined);
  const open = buildRouteIndex(
    testConfig(
      testRoute({ classification: { ...testRoute().classification, allowClientTier: true } }),
    ),
  );
  assert.equal(classifyByRules(open.routes.get('auto')!, input)?.tier, 'premium');
});

test('a classifier answer is read as the first tier name it contains', () => {
  assert.equal(parseClassifierAnswer(route, 'Tier: Premium.'), 'premium');
  assert.equal(parseClassifierAnswer(route, 'no idea'), undefined);
});

test('cheapest ranks by expected cost, then escalation appends the more capable tiers', () => {
  const p = plan(route, defaultClassification(route), testInput(), context());
  assert.deepEqual(keys(p), [
    'deepseek/deepseek-chat',
    'qwen/qwen-plus',
    'openai/gpt-mini',
    'anthropic/sonnet',
    'local/llama',
  ]);
  assert.deepEqual(p.tiers, ['budget', 'standard', 'premium']);
});

test('preferTags put tagged models first within the tier', () => {
  const c = classifyByRules(route, testInput({ headers: { 'x-task': 'code' } }))!;
  assert.equal(keys(plan(route, c, testInput(), context()))[0], 'deepseek/deepseek-chat');
});

test('targets whose context window is too small are excluded with the reason', () => {
  const p = plan(
    route,
    defaultClassification(route),
    testInput({ promptTokens: 70000 }),
    context(),
  );
  assert.ok(!keys(p).includes('deepseek/deepseek-chat'));
  assert.ok(!keys(p).includes('local/llama'));
  assert.equal(
    p.exclusions.find((e) => e.key === 'deepseek/deepseek-chat')?.reason,
    'context_window',
  );
});

test('a request needing vision only reaches models declaring it', () => {
  const p = plan(
    route,
    defaultClassification(route),
    testInput({ requiredCapabilities: ['vision'] }),
    context(),
  );
  assert.deepEqual(keys(p), ['openai/gpt-mini']);
});

test('a sensitive request only reaches providers inside the pool, even as fallbacks', () => {
  const p = plan(route, defaultClassification(route), testInput(), context({ sensitive: true }));
  assert.deepEqual(keys(p), ['local/llama']);
  assert.ok(p.exclusions.filter((e) => e.reason === 'governance').every((e) => !e.lastResort));
});

test('sensitivity comes from the header or from the policy patterns', () => {
  const g = route.config.governance;
  assert.equal(
    isSensitive(g, route.sensitivePatterns, { 'x-switchyard-sensitivity': 'pii' }, 'hi'),
    true,
  );
  assert.equal(
    isSensitive(g, route.sensitivePatterns, { 'x-switchyard-sensitivity': 'none' }, 'hi'),
    false,
  );
  assert.equal(isSensitive(g, route.sensitivePatterns, {}, 'my ssn is 123-45-6789'), true);
  assert.equal(isSensitive(g, route.sensitivePatterns, {}, 'hello'), false);
});

test('budget pressure starts one tier cheaper, and exhaustion keeps to the cheapest tier', () => {
  const premium = { tier: 'premium', source: 'rule' as const, preferTags: [] };
  assert.deepEqual(plan(route, premium, testInput(), context({ budget: 'downgrade' })).tiers, [
    'standard',
    'premium',
  ]);
  assert.deepEqual(plan(route, premium, testInput(), context({ budget: 'cheapest-only' })).tiers, [
    'budget',
  ]);
});

test('interactive requests move targets slower than the latency budget to the end', () => {
  const slowRoute = buildRouteIndex(
    testConfig(testRoute({ latency: { interactiveTtftMs: 500 } })),
  ).routes.get('auto')!;
  const health = (key: string): TargetHealth =>
    key === 'deepseek/deepseek-chat'
      ? { circuit: 'closed', p95TtftMs: 900 }
      : { circuit: 'closed' };
  const p = plan(
    slowRoute,
    defaultClassification(slowRoute),
    testInput(),
    context({ health, latencyClass: 'interactive' }),
  );
  assert.equal(keys(p).at(-1), 'deepseek/deepseek-chat');
});

test('a demoted target is skipped like an open circuit: tried only after every other target', () => {
  const health = (key: string): TargetHealth =>
    key === 'deepseek/deepseek-chat' ? { circuit: 'closed', demoted: true } : { circuit: 'closed' };
  const p = plan(route, defaultClassification(route), testInput(), context({ health }));
  assert.deepEqual(keys(p), [
    'qwen/qwen-plus',
    'openai/gpt-mini',
    'anthropic/sonnet',
    'local/llama',
    'deepseek/deepseek-chat',
  ]);
  const exclusion = p.exclusions.find((e) => e.key === 'deepseek/deepseek-chat');
  assert.deepEqual(
    [exclusion?.reason, exclusion?.lastResort],
    ['demoted', true],
    'the exclusion names the reason',
  );
});

test('property: a demoted or open target is never planned before an eligible healthy one', () => {
  const allKeys = [...index.targets.keys()];
  fc.assert(
    fc.property(
      fc.subarray(allKeys),
      fc.subarray(allKeys),
      fc.constantFrom('budget', 'standard', 'premium'),
      (demoted, open, tier) => {
        const health = (key: string): TargetHealth => ({
          circuit: open.includes(key) ? 'open' : 'closed',
          demoted: demoted.includes(key),
        });
        const p = plan(
          route,
          { tier, source: 'rule', preferTags: [] },
          testInput(),
          context({ health }),
        );
        const bad = (key: string): boolean => open.includes(key) || demoted.includes(key);
        const firstBad = p.attempts.findIndex((a) => bad(a.target.key));
        const lastGood = p.attempts.findLastIndex((a) => !bad(a.target.key));
        return firstBad === -1 || lastGood < firstBad;
      },
    ),
  );
});

test('property: an open circuit is never planned before an eligible closed one', () => {
  const allKeys = [...index.targets.keys()];
  fc.assert(
    fc.property(
      fc.subarray(allKeys),
      fc.constantFrom('budget', 'standard', 'premium'),
      fc.integer({ min: 0, max: 80000 }),
      (open, tier, promptTokens) => {
        const health = (key: string): TargetHealth => ({
          circuit: open.includes(key) ? 'open' : 'closed',
        });
        const p = plan(
          route,
          { tier, source: 'rule', preferTags: [] },
          testInput({ promptTokens }),
          context({ health }),
        );
        const firstOpen = p.attempts.findIndex((a) => open.includes(a.target.key));
        const lastClosed = p.attempts.findLastIndex((a) => !open.includes(a.target.key));
        return firstOpen === -1 || lastClosed < firstOpen;
      },
    ),
  );
});

test('property: weighted order is a permutation of the positive-weight targets', () => {
  const weighted = buildRouteIndex(
    testConfig(
      testRoute({
        tiers: [
          {
            name: 'budget',
            strategy: 'weighted',
            targets: [
              { provider: 'qwen', model: 'qwen-plus', weight: 3 },
              { provider: 'deepseek', model: 'deepseek-chat', weight: 1 },
              { provider: 'openai', model: 'gpt-mini', weight: 0 },
            ],
          },
        ],
        classification: { default: 'budget', rules: [], allowClientTier: false },
      }),
    ),
  ).routes.get('auto')!;
  fc.assert(
    fc.property(fc.double({ min: 0, max: 0.999999, noNaN: true }), (r) => {
      const p = plan(
        weighted,
        defaultClassification(weighted),
        testInput(),
        context({ random: () => r }),
      );
      return (
        keys(p).length === 3 && keys(p)[2] === 'openai/gpt-mini' && new Set(keys(p)).size === 3
      );
    }),
  );
});
