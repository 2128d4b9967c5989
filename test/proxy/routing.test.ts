import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { policy, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let client: OpenAI;

const twoTargets = (
  name: string,
  failover: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) =>
  policy(name, {
    model: name,
    tiers: [
      {
        name: 'cheap',
        strategy: 'ordered',
        targets: [
          { provider: 'cheap', model: 'small' },
          { provider: 'backup', model: 'medium' },
        ],
      },
      { name: 'smart', strategy: 'ordered', targets: [{ provider: 'gemini', model: 'flash' }] },
    ],
    failover: { attemptTimeoutMs: 2000, ttftTimeoutMs: 1000, retries: { max: 0 }, ...failover },
    ...extra,
  });

before(async () => {
  fx = await startProxyFixture();
  client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'x', maxRetries: 0 });
  fx.apply({
    policies: [
      twoTargets('hedged', { hedgeAfterMs: 100 }),
      twoTargets(
        'classified',
        {},
        {
          classification: {
            classifier: { target: { provider: 'cheap', model: 'small' }, timeoutMs: 200 },
          },
        },
      ),
      twoTargets('gated', {}),
      twoTargets(
        'classified-cached',
        {},
        {
          classification: {
            classifier: { target: { provider: 'cheap', model: 'small' }, timeoutMs: 200 },
          },
          cache: { exact: { ttlSeconds: 60 } },
        },
      ),
    ],
  });
});
after(async () => {
  await fx.close();
});
beforeEach(() => {
  for (const fake of Object.values(fx.fakes)) fake.reset();
  fx.proxy.ctx.health.reset();
});

const ask = (
  model: string,
  content = 'hello',
  extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
) =>
  client.chat.completions
    .create({ model, messages: [{ role: 'user', content }], ...extra })
    .withResponse();

test('the classifier model picks the tier when no rule matched', async () => {
  fx.fakes.cheap.script({ reply: 'smart' });
  const { response } = await ask('classified');
  assert.equal(response.headers.get('x-switchyard-tier'), 'smart');
  assert.equal(response.headers.get('x-switchyard-provider'), 'gemini');
});

test('a slow classifier falls back to the default tier within its timeout', async () => {
  fx.fakes.cheap.script([{ latencyMs: 1000, reply: 'smart' }]);
  const started = performance.now();
  const { response } = await ask('classified');
  assert.equal(response.headers.get('x-switchyard-tier'), 'cheap');
  assert.ok(performance.now() - started < 900);
});

/** The log line of the request a response answered. */
const lineOf = (response: Response): Record<string, unknown> | undefined =>
  fx.logs.find((l) => l['requestId'] === response.headers.get('x-request-id'));

const classifierCalls = async (outcome: string): Promise<number> => {
  const metric = await fx.proxy.ctx.metrics.registry
    .getSingleMetric('switchyard_classifier_calls_total')
    ?.get();
  const value = metric?.values.find(
    (v) => v.labels['route'] === 'classified' && v.labels['outcome'] === outcome,
  );
  return value?.value ?? 0;
};

for (const { name, step, outcome, tier } of [
  { name: 'answers', step: { reply: 'smart' }, outcome: 'answered', tier: 'smart' },
  {
    name: 'times out',
    step: { latencyMs: 1000, reply: 'smart' },
    outcome: 'timeout',
    tier: 'cheap',
  },
  { name: 'fails', step: { status: 500 }, outcome: 'error', tier: 'cheap' },
  { name: 'names no tier', step: { reply: 'banana bread' }, outcome: 'unusable', tier: 'cheap' },
]) {
  test(`a classifier that ${name} is visible in the log line, the receipt and the metrics`, async () => {
    const before = await classifierCalls(outcome);
    fx.fakes.cheap.script(step);
    const { response } = await ask('classified');
    assert.equal(response.headers.get('x-switchyard-tier'), tier);
    const line = lineOf(response);
    assert.equal(line?.['classifier'], outcome);
    assert.equal(typeof line?.['classifierMs'], 'number');
    const by = outcome === 'answered' ? 'classifier' : 'default';
    assert.equal(line?.['classifiedBy'], by);
    assert.equal(response.headers.get('x-switchyard-classified-by'), by);
    assert.equal(await classifierCalls(outcome), before + 1);
  });
}

test('a request no classifier is asked about says so: rule or default, no classifier field', async () => {
  const { response } = await ask('auto', 'explain step-by-step');
  const line = lineOf(response);
  assert.equal(line?.['classifiedBy'], 'rule');
  assert.equal(line?.['rule'], 'reasoning');
  assert.equal(line?.['classifier'], undefined);
});

test('a repeated request is answered from the exact cache without asking the classifier', async () => {
  fx.fakes.cheap.script([{ reply: 'cheap' }, { reply: 'the answer' }]);
  const first = await ask('classified-cached', 'what is the capital of France?');
  assert.equal(first.response.headers.get('x-switchyard-cache'), 'miss');
  assert.equal(fx.fakes.cheap.requests.length, 2); // the classifier, then the answer
  // The classifier would be slow now: a hit must not wait for it.
  fx.fakes.cheap.script({ latencyMs: 1000, reply: 'smart' });
  const started = performance.now();
  const second = await ask('classified-cached', 'what is the capital of France?');
  assert.equal(second.response.headers.get('x-switchyard-cache'), 'hit');
  assert.equal(second.data.choices[0]?.message.content, 'the answer');
  assert.ok(performance.now() - started < 500);
  assert.equal(fx.fakes.cheap.requests.length, 2);
  assert.equal(lineOf(second.response)?.['classifier'], undefined);
});

test('an answer that breaks the requested JSON schema is retried on the next tier', async () => {
  fx.fakes.cheap.script({ reply: 'Sure! Here is a name: Bob' });
  fx.fakes.gemini.script({ reply: '{"name":"Bob"}' });
  const { data, response } = await ask('gated', 'name?', {
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'person',
        schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    },
  });
  assert.equal(response.headers.get('x-switchyard-quality'), 'escalated');
  assert.equal(response.headers.get('x-switchyard-tier'), 'smart');
  assert.deepEqual(JSON.parse(data.choices[0]?.message.content ?? ''), { name: 'Bob' });
});

test('a context-length error moves to a target with a larger window', async () => {
  fx.fakes.cheap.script({ contextLengthExceeded: true });
  const { response } = await ask('gated');
  assert.equal(response.headers.get('x-switchyard-provider'), 'backup');
});

test('hedging answers from the second target when the first is slow, and cancels the loser', async () => {
  fx.fakes.cheap.script({ latencyMs: 1500 });
  const started = performance.now();
  const { response } = await ask('hedged');
  const elapsed = performance.now() - started;
  assert.equal(response.headers.get('x-switchyard-provider'), 'backup');
  assert.ok(elapsed < 1000, `took ${elapsed} ms`);
});

test('a provider at its requests-per-minute limit is skipped until the window passes', async () => {
  fx.apply({
    providers: [
      {
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'ModelProvider',
        metadata: {
          name: 'limited',
          namespace: 'ai',
          generation: 1,
          creationTimestamp: '2026-01-01T00:00:00Z',
        },
        spec: {
          api: 'openai',
          baseURL: fx.fakes.cheap.url,
          auth: { secretRef: { name: 'keys' } },
          limits: { requestsPerMinute: 2 },
          models: [
            {
              name: 'small',
              contextWindow: 32000,
              pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 },
            },
          ],
        },
      },
    ],
    policies: [
      policy('limits', {
        model: 'limits',
        tiers: [
          {
            name: 'only',
            strategy: 'ordered',
            targets: [
              { provider: 'limited', model: 'small' },
              { provider: 'backup', model: 'medium' },
            ],
          },
        ],
      }),
    ],
  });
  const providers: (string | null)[] = [];
  for (let i = 0; i < 3; i++)
    providers.push((await ask('limits')).response.headers.get('x-switchyard-provider'));
  assert.deepEqual(providers, ['limited', 'limited', 'backup']);
});

test('embeddings are for concrete models: an alias gets a 400 naming the embeddings models to use', async () => {
  await assert.rejects(
    client.embeddings.create({ model: 'auto', input: 'hello' }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && /cheap\/embed/.test(e.message),
  );
  const { response } = await client.embeddings
    .create({ model: 'cheap/embed', input: 'hello' })
    .withResponse();
  assert.ok(Number(response.headers.get('x-switchyard-cost-usd')) > 0);
});
