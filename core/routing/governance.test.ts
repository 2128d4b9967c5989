import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testConfig } from './fixtures.test-support.ts';
import { directSensitivityRefusal, isSensitive } from './governance.ts';
import { buildRouteIndex } from './route-index.ts';

const index = buildRouteIndex(testConfig());
const route = index.routes.get('auto')!;
const governance = route.config.governance;

test('a request naming a model outside the pool with the sensitivity header is refused, and says why', () => {
  const outside = index.targets.get('openai/gpt-mini')!;
  const reason = directSensitivityRefusal(index, outside, { 'x-switchyard-sensitivity': 'pii' });
  assert.match(reason ?? '', /marked sensitive \(x-switchyard-sensitivity\)/);
  assert.match(reason ?? '', /openai\/gpt-mini is outside the governance pool/);
  assert.match(reason ?? '', /RoutePolicy ai\/auto; send model "auto"/);
});

test('a direct request is served when it is not marked, or its model is inside every pool', () => {
  const outside = index.targets.get('openai/gpt-mini')!;
  const inside = index.targets.get('local/llama')!;
  const cases: [string, ReturnType<typeof index.targets.get>, Record<string, string>][] = [
    ['no header', outside, {}],
    ['the header says none', outside, { 'x-switchyard-sensitivity': 'none' }],
    ['a model inside the pool', inside, { 'x-switchyard-sensitivity': 'pii' }],
  ];
  for (const [what, target, headers] of cases)
    assert.equal(directSensitivityRefusal(index, target!, headers), undefined, what);
});

test('patterns read the forwarded text only when the header did not decide, and too much text is sensitive', () => {
  let computed = 0;
  const text = (value: string | undefined) => () => {
    computed += 1;
    return value;
  };
  const header = { 'x-switchyard-sensitivity': 'yes' };
  assert.equal(isSensitive(governance, route.sensitivePatterns, header, text('hi')), true);
  assert.equal(computed, 0, 'the header was enough');
  assert.equal(isSensitive(governance, route.sensitivePatterns, {}, text('123-45-6789')), true);
  assert.equal(isSensitive(governance, route.sensitivePatterns, {}, text('hello')), false);
  assert.equal(isSensitive(governance, route.sensitivePatterns, {}, text(undefined)), true);
});
