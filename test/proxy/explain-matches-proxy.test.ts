// `switchyard explain` and the proxy share one decision function (core/routing/decide.ts); this
// table proves they decide the same: the same requests, explained in-process and sent through a
// real proxy to the fakes, get the same classification, tier and first target.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainDecision } from '../../cli/explain.ts';
import { routingInputFor } from '../../core/routing/request-input.ts';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import { policy, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;

before(async () => {
  fx = await startProxyFixture();
  fx.apply({
    policies: [
      policy('picky', {
        model: 'picky',
        tiers: [
          { name: 'cheap', targets: [{ provider: 'cheap', model: 'small' }] },
          { name: 'smart', targets: [{ provider: 'gemini', model: 'flash' }] },
          { name: 'best', targets: [{ provider: 'claude', model: 'sonnet' }] },
        ],
        classification: {
          default: 'cheap',
          allowClientTier: true,
          rules: [
            { name: 'code', tier: 'smart', match: { headers: { 'x-task': 'code' } } },
            { name: 'long', tier: 'best', match: { minPromptTokens: 400 } },
            { name: 'tools', tier: 'smart', match: { hasTools: true } },
            { name: 'proof', tier: 'best', match: { patterns: ['\\bprove\\b'] } },
          ],
        },
      }),
    ],
  });
});
after(async () => {
  await fx.close();
});

const user = (content: string): ChatCompletionRequest['messages'] => [{ role: 'user', content }];
const table: { name: string; body: ChatCompletionRequest; headers?: Record<string, string> }[] = [
  { name: 'a plain question', body: { model: 'auto', messages: user('hello there') } },
  { name: 'a keyword rule', body: { model: 'auto', messages: user('go step-by-step please') } },
  {
    name: 'a sensitive request',
    body: { model: 'auto', messages: user('my ssn is 123-45-6789, help') },
  },
  {
    name: 'a header rule',
    body: { model: 'picky', messages: user('fix this') },
    headers: { 'x-task': 'code' },
  },
  { name: 'a long prompt', body: { model: 'picky', messages: user('word '.repeat(600)) } },
  { name: 'a pattern rule', body: { model: 'picky', messages: user('prove that 2 is prime') } },
  {
    name: 'tools',
    body: {
      model: 'picky',
      messages: user('weather?'),
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
    },
  },
  {
    name: "the client's tier header",
    body: { model: 'picky', messages: user('anything') },
    headers: { 'x-switchyard-tier': 'best' },
  },
  {
    name: 'a request only the larger windows fit',
    body: { model: 'auto', messages: user('lorem ipsum '.repeat(4000)), max_tokens: 25000 },
  },
];

for (const { name, body, headers = {} } of table) {
  test(`explain and the proxy decide alike: ${name}`, async () => {
    const route = fx.proxy.ctx.config.current?.routes.get(body.model);
    assert.ok(route);
    const explained = await explainDecision(route, routingInputFor(body, headers));
    const response = await fetch(`${fx.proxy.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const first = explained.routePlan.attempts[0];
    assert.ok(first);
    assert.equal(
      response.headers.get('x-switchyard-classified-by'),
      explained.classification.source,
    );
    assert.equal(response.headers.get('x-switchyard-rule'), explained.classification.rule ?? null);
    assert.equal(response.headers.get('x-switchyard-tier'), first.tier);
    if (name.includes('larger windows')) assert.notEqual(first.target.key, 'cheap/small');
    assert.equal(
      `${response.headers.get('x-switchyard-provider')}/${response.headers.get('x-switchyard-model')}`,
      first.target.key,
    );
  });
}
