import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { policy, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let client: OpenAI;

before(async () => {
  fx = await startProxyFixture();
  client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'x', maxRetries: 0 });
});
after(async () => {
  await fx.close();
});
beforeEach(() => {
  for (const fake of Object.values(fx.fakes)) fake.reset();
  fx.proxy.ctx.health.reset(); // each test starts with closed circuits
});

const ask = (model = 'auto', content = 'hello') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse();

test('a 503 from the primary is answered by the fallback, and the receipt says so', async () => {
  fx.fakes.cheap.script({ status: 503 });
  const { data, response } = await ask();
  assert.equal(data.object, 'chat.completion');
  assert.equal(response.headers.get('x-switchyard-provider'), 'backup');
  assert.equal(response.headers.get('x-switchyard-attempts'), '2');
});

test('a 429 without Retry-After fails over at once', async () => {
  fx.fakes.cheap.script({ status: 429 });
  const { response } = await ask();
  assert.equal(response.headers.get('x-switchyard-provider'), 'backup');
});

test('a black-holed primary times out, then the fallback answers; after the breaker opens it is skipped at once', async () => {
  fx.apply({
    policies: [
      policy('blackhole', {
        model: 'blackhole',
        tiers: [
          {
            name: 'only',
            strategy: 'ordered',
            targets: [
              { provider: 'cheap', model: 'small' },
              { provider: 'backup', model: 'medium' },
            ],
          },
        ],
        failover: { attemptTimeoutMs: 300, ttftTimeoutMs: 200, retries: { max: 0 } },
      }),
    ],
  });
  fx.fakes.cheap.setDefault({ blackhole: true });
  try {
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const { response } = await ask('blackhole');
      assert.equal(response.headers.get('x-switchyard-provider'), 'backup');
      assert.ok(performance.now() - started >= 250, 'waited for the attempt timeout');
    }
    const started = performance.now();
    const { response } = await ask('blackhole');
    assert.equal(response.headers.get('x-switchyard-provider'), 'backup');
    assert.ok(performance.now() - started < 200, 'the open circuit is skipped without waiting');
  } finally {
    fx.fakes.cheap.setDefault({});
  }
});

test('a stream reset before the first token fails over transparently', async () => {
  fx.fakes.cheap.script({ resetAfterChunks: 0 });
  const stream = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  assert.ok(text.length > 0);
  assert.equal(fx.fakes.backup.requests.length, 1);
});

test('a stream reset after the first token ends with an SSE error event and no duplicated content', async () => {
  fx.fakes.cheap.script({
    resetAfterChunks: 2,
    chunkDelayMs: 5,
    reply: 'one two three four five six seven eight nine ten eleven twelve',
  });
  const response = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'auto',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    }),
  });
  const body = await response.text();
  assert.equal(response.status, 200);
  assert.match(body, /data: \{"error":\{/);
  assert.ok(!body.includes('[DONE]'));
  assert.equal(fx.fakes.backup.requests.length, 0, 'no failover after the first byte');
  const stream = client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  fx.fakes.cheap.script({ resetAfterChunks: 1, chunkDelayMs: 5 });
  await assert.rejects(async () => {
    for await (const _ of await stream) void _;
  });
});

test('when every provider is down the client gets an OpenAI-style error listing the attempts', async () => {
  for (const fake of Object.values(fx.fakes)) fake.script([{ status: 500 }, { status: 500 }]);
  const error = await ask('auto', 'please go step-by-step').then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof OpenAI.APIError);
  assert.equal(error.status, 502);
  assert.match(error.message, /claude\/sonnet \(premium\): server_error 500/);
  // Counted on its route, so a route's error rate is a PromQL query away.
  const line = fx.logs.find((l) => l['requestId'] === error.requestID);
  assert.equal(line?.['route'], 'auto');
  const metrics = await (await fetch(fx.proxy.metricsUrl ?? '')).text();
  assert.match(
    metrics,
    /switchyard_requests_total\{route="auto",tier="none"[^}]*code="502"[^}]*\} 1/,
  );
});

test('a sensitive request never leaves its governance pool, even when the pool fails', async () => {
  fx.fakes.backup.script({ status: 503 });
  await assert.rejects(
    ask('auto', 'my ssn is 123-45-6789'),
    (e: unknown) => e instanceof OpenAI.APIError && e.status === 502,
  );
  assert.equal(fx.fakes.cheap.requests.length, 0);
  assert.equal(fx.fakes.claude.requests.length, 0);
  assert.equal(fx.fakes.gemini.requests.length, 0);
  const { response } = await client.chat.completions
    .create(
      { model: 'auto', messages: [{ role: 'user', content: 'hello' }] },
      { headers: { 'x-switchyard-sensitivity': 'pii' } },
    )
    .withResponse();
  assert.equal(response.headers.get('x-switchyard-provider'), 'backup');
});

test("the caller's own mistake reported by a provider is not retried elsewhere", async () => {
  fx.fakes.cheap.script({ status: 400 });
  await assert.rejects(ask(), (e: unknown) => e instanceof OpenAI.BadRequestError);
  assert.equal(fx.fakes.backup.requests.length, 0);
});

test('a provider that stops sending in mid-stream ends the stream with an SSE error, not a hang', async () => {
  fx.apply({
    policies: [
      policy('stall', {
        model: 'stall',
        tiers: [{ name: 'only', targets: [{ provider: 'cheap', model: 'small' }] }],
        failover: { attemptTimeoutMs: 300, ttftTimeoutMs: 300, retries: { max: 0 } },
      }),
    ],
  });
  fx.fakes.cheap.script({ chunkDelayMs: 800, reply: 'one two three four five six' });
  const started = performance.now();
  const response = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'stall',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, 'the stream had started');
  assert.match(text, /"code":"upstream_stream_error"/);
  assert.match(text, /the provider stopped sending for 300 ms/);
  assert.doesNotMatch(text, /\[DONE\]/);
  // Six words 800 ms apart would take ~5 s; the relay gives up 300 ms into the first long gap.
  assert.ok(performance.now() - started < 2500, `${Math.round(performance.now() - started)} ms`);
});
