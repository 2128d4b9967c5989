import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyByRules, RULE_PATTERN_SCAN_CHARS } from './classify.ts';
import { testConfig, testInput, testRoute } from './fixtures.test-support.ts';
import { buildRouteIndex } from './route-index.ts';

function routeWithPattern(pattern: string) {
  const config = testConfig(
    testRoute({
      classification: {
        default: 'budget',
        rules: [{ name: 'evil', tier: 'premium', match: { patterns: [pattern] }, preferTags: [] }],
        allowClientTier: false,
      },
    }),
  );
  return buildRouteIndex(config).routes.get('auto')!;
}

test('a rule pattern with nested quantifiers classifies a long adversarial prompt in linear time', () => {
  // V8 took 9.9 s on 30 characters of this, ×4 for every two more; 60 000 would never end.
  const route = routeWithPattern('(a+)+$');
  const started = performance.now();
  const classification = classifyByRules(route, testInput({ allText: `${'a'.repeat(60_000)}!` }));
  const tookMs = performance.now() - started;
  assert.ok(tookMs < 2000, `classification took ${tookMs.toFixed(0)} ms`);
  assert.equal(classification, undefined);
});

test('rule patterns read the first 65,536 characters of the messages, no more', () => {
  const route = routeWithPattern('needle');
  const padding = 'x'.repeat(RULE_PATTERN_SCAN_CHARS - 10);
  assert.equal(
    classifyByRules(route, testInput({ allText: `${padding}needle` }))?.rule,
    'evil',
    'inside the bound',
  );
  assert.equal(
    classifyByRules(route, testInput({ allText: `${padding}1234567890needle` })),
    undefined,
    'past the bound',
  );
});
