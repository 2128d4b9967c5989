import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startProxy, type RunningProxy } from '../../proxy/proxy.ts';
import { RedisState } from '../../proxy/state/redis-state.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { policy, startProxyFixture, TEST_API_KEY, type ProxyFixture } from './proxy-fixture.ts';

let redis: RedisServer;
let fx: ProxyFixture;
let second: RunningProxy;
let clients: OpenAI[];

/** A provider whose price makes each test request cost about $0.01: 100 output tokens at $100/M. */
const pricey = (baseURL: string) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: {
    name: 'pricey',
    namespace: 'ai',
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: {
    api: 'openai',
    baseURL,
    auth: { secretRef: { name: 'keys' } },
    models: [
      {
        name: 'big',
        contextWindow: 100000,
        pricing: { inputPerMillion: 1, outputPerMillion: 100 },
      },
    ],
  },
});

before(async () => {
  redis = await startRedis();
  fx = await startProxyFixture({ state: await RedisState.connect(redis.url) });
  fx.apply({
    providers: [pricey(fx.fakes.backup.url)],
    policies: [
      policy('capped', {
        model: 'capped',
        tiers: [{ name: 'only', targets: [{ provider: 'pricey', model: 'big' }] }],
        budget: { monthlyUSD: 0.05, onExhausted: 'reject' },
      }),
      policy('thrifty', {
        model: 'thrifty',
        tiers: [
          { name: 'cheap', targets: [{ provider: 'cheap', model: 'small' }] },
          { name: 'premium', targets: [{ provider: 'pricey', model: 'big' }] },
        ],
        classification: {
          rules: [{ name: 'hard', tier: 'premium', match: { keywords: ['hard'] } }],
        },
        budget: { monthlyUSD: 0.015, downgradeAtPercent: 50, onExhausted: 'cheapest' },
      }),
      policy('cached', {
        model: 'cached',
        tiers: [{ name: 'only', targets: [{ provider: 'cheap', model: 'small' }] }],
        cache: { exact: { ttlSeconds: 60 } },
        governance: { sensitive: {}, pool: { trainsOnData: true } },
      }),
    ],
  });
  // A second proxy of the same fleet: same config, same Redis.
  second = await startProxy({
    port: 0,
    metricsPort: null,
    host: '127.0.0.1',
    log: () => {},
    state: await RedisState.connect(redis.url),
  });
  second.ctx.credentials.replace(new Map([['ai/keys/apiKey', TEST_API_KEY]]));
  const loaded = second.ctx.config.swap(fx.proxy.ctx.config.current!.config);
  assert.ok(loaded.ok);
  clients = [fx.proxy, second].map(
    (p) => new OpenAI({ baseURL: p.url, apiKey: 'x', maxRetries: 0 }),
  );
});
after(async () => {
  await second.close();
  await fx.close();
  await redis.stop();
});
beforeEach(() => {
  for (const fake of Object.values(fx.fakes)) fake.reset();
});

test('two proxies sharing Redis never spend more than the budget, even under concurrent requests', async () => {
  fx.fakes.backup.setDefault({ usage: { inputTokens: 5, outputTokens: 100 } });
  try {
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) =>
        (clients[i % 2] as OpenAI).chat.completions.create({
          model: 'capped',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) =>
        r.status === 'rejected' &&
        r.reason instanceof OpenAI.RateLimitError &&
        /budget/.test(r.reason.message),
    );
    assert.equal(ok + refused.length, 16);
    assert.equal(ok, 4, 'four requests of ~$0.01 fit in $0.05');
    const month = new Date().toISOString().slice(0, 7);
    const spentMicroUSD = Number(
      await redis.command('GET', `switchyard:budget:ai:capped:${month}`),
    );
    assert.ok(spentMicroUSD <= 50_000, `spent ${spentMicroUSD} µ$ of 50000`);
    assert.ok(spentMicroUSD >= 40_000);
  } finally {
    fx.fakes.backup.setDefault({});
  }
});

test('past the downgrade threshold premium requests shift a tier down, and past the budget stay on the cheapest', async () => {
  fx.fakes.backup.setDefault({ usage: { inputTokens: 5, outputTokens: 100 } });
  try {
    const tierOf = async () =>
      (
        await clients[0]!.chat.completions
          .create({
            model: 'thrifty',
            max_tokens: 100,
            messages: [{ role: 'user', content: 'a hard one' }],
          })
          .withResponse()
      ).response.headers.get('x-switchyard-tier');
    assert.equal(await tierOf(), 'premium', 'under the threshold the rule decides');
    assert.equal(await tierOf(), 'cheap', 'past 50% the request is downgraded');
  } finally {
    fx.fakes.backup.setDefault({});
  }
});

test('an identical request is answered from the shared cache by either proxy, at no cost', async () => {
  const ask = (client: OpenAI, content: string, headers: Record<string, string> = {}) =>
    client.chat.completions
      .create({ model: 'cached', messages: [{ role: 'user', content }] }, { headers })
      .withResponse();
  const first = await ask(clients[0]!, 'what is the capital of France?');
  assert.equal(first.response.headers.get('x-switchyard-cache'), 'miss');
  const again = await ask(clients[1]!, 'what is the capital of France?');
  assert.equal(again.response.headers.get('x-switchyard-cache'), 'hit');
  assert.equal(again.response.headers.get('x-switchyard-cost-usd'), '0.00000000');
  assert.equal(again.data.choices[0]?.message.content, first.data.choices[0]?.message.content);
  assert.equal(fx.fakes.cheap.requests.length, 1);
  const otherTenant = await ask(clients[1]!, 'what is the capital of France?', {
    'x-switchyard-tenant': 'team-b',
  });
  assert.equal(
    otherTenant.response.headers.get('x-switchyard-cache'),
    'miss',
    'entries never cross tenants',
  );
  const stream = await clients[0]!.chat.completions.create({
    model: 'cached',
    stream: true,
    messages: [{ role: 'user', content: 'what is the capital of France?' }],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  assert.equal(text, first.data.choices[0]?.message.content, 'a stream is replayed from the cache');
  assert.equal(fx.fakes.cheap.requests.length, 2);
});

test('sensitive requests are never cached', async () => {
  for (let i = 0; i < 2; i++) {
    const { response } = await clients[0]!.chat.completions
      .create(
        { model: 'cached', messages: [{ role: 'user', content: 'private' }] },
        { headers: { 'x-switchyard-sensitivity': 'pii' } },
      )
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-cache'), 'off');
  }
  assert.equal(fx.fakes.cheap.requests.length, 2);
});
