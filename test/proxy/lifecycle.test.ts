import { after, before, test } from 'node:test';
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

/** A raw chat request to cheap/small, for tests that need to drop or hold the connection. */
function postChat(
  content: string,
  options: { stream?: boolean; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'cheap/small',
      messages: [{ role: 'user', content }],
      ...(options.stream === true ? { stream: true } : {}),
    }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

test('a client that disconnects mid-stream cancels the upstream request', async () => {
  fx.fakes.cheap.reset();
  fx.fakes.cheap.script({
    chunkDelayMs: 50,
    reply: Array.from({ length: 200 }, (_, i) => `word${i}`).join(' '),
  });
  const controller = new AbortController();
  const response = await postChat('long please', { stream: true, signal: controller.signal });
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  const started = performance.now();
  let aborted = false;
  while (performance.now() - started < 3000 && !aborted) {
    await new Promise((r) => setTimeout(r, 50));
    const logs = fx.logs.filter((l) => l['status'] === 499);
    aborted = logs.length > 0;
  }
  // 499 is logged only after the relay saw the client go and aborted the upstream request.
  assert.ok(aborted, 'the proxy logged the request as cancelled by the client (499)');
});

test('a client that disconnects while waiting for a whole answer cancels the upstream request', async () => {
  fx.fakes.cheap.reset();
  fx.fakes.cheap.script({ latencyMs: 3000 });
  const logged = fx.logs.length;
  const controller = new AbortController();
  const sent = postChat('slow', { signal: controller.signal }).catch((error: unknown) => error);
  await fx.fakes.cheap.waitForRequests(1);
  const abortedAt = performance.now();
  controller.abort();
  await sent;
  // Without the cancel the proxy would sit on the upstream request until the fake answers (3 s).
  while (fx.logs.length === logged && performance.now() - abortedAt < 2500) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const line = fx.logs.slice(logged)[0];
  assert.ok(line !== undefined, 'the proxy finished the request');
  assert.ok(performance.now() - abortedAt < 1000, 'soon after the client left');
  // The client's leaving is not a provider or proxy failure: 499, warn, origin caller.
  assert.equal(line['status'], 499);
  assert.equal(line['errorCode'], 'CLIENT_CLOSED_REQUEST');
  assert.equal(line['origin'], 'caller');
  assert.equal(line['level'], 'warn');
  const metrics = await (await fetch(fx.proxy.metricsUrl ?? '')).text();
  assert.match(metrics, /switchyard_requests_total\{[^}]*code="499"[^}]*\} 1/);
});

test('a stream counts in switchyard_requests_in_flight until its last chunk', async () => {
  const inFlight = async (): Promise<number> => {
    const text = await (await fetch(fx.proxy.metricsUrl ?? '')).text();
    return Number(/^switchyard_requests_in_flight (\S+)$/m.exec(text)?.[1]);
  };
  assert.equal(await inFlight(), 0);
  fx.fakes.cheap.reset();
  fx.fakes.cheap.script({ chunkDelayMs: 30, reply: 'one two three four five six' });
  const response = await postChat('count me', { stream: true });
  const reader = response.body!.getReader();
  await reader.read();
  assert.equal(await inFlight(), 1, 'while the stream runs');
  while (!(await reader.read()).done);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await inFlight(), 0, 'after its last chunk');
});

test('a config swap under load loses no request', async () => {
  let failures = 0;
  let done = 0;
  let swapping = true;
  const workers = Array.from({ length: 8 }, async () => {
    while (swapping || done < 20) {
      try {
        await client.chat.completions.create({
          model: 'auto',
          messages: [{ role: 'user', content: 'hi' }],
        });
        done += 1;
      } catch {
        failures += 1;
      }
    }
  });
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 50));
    fx.apply({
      policies: [
        policy('extra', {
          model: `extra-${i}`,
          tiers: [{ name: 'only', targets: [{ provider: 'cheap', model: 'small' }] }],
        }),
      ],
    });
  }
  swapping = false;
  await Promise.all(workers);
  assert.equal(failures, 0);
  assert.ok(done >= 20);
  assert.ok(fx.proxy.ctx.config.current?.routes.has('extra-9'));
});

test('an invalid config is refused and the last good config keeps serving', async () => {
  const before = fx.proxy.ctx.config.current?.config.configHash;
  const refused = fx.proxy.ctx.config.load({ schemaVersion: 99, routes: [] });
  assert.equal(refused.ok, false);
  const broken = fx.proxy.ctx.config.load({
    schemaVersion: 1,
    configHash: 'nope',
    providers: [],
    routes: [],
  });
  assert.equal(broken.ok, false);
  assert.equal(fx.proxy.ctx.config.current?.config.configHash, before);
  const ok = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(ok.object, 'chat.completion');
});

test('/readyz and /healthz answer on both ports', async () => {
  const api = new URL(fx.proxy.url);
  for (const base of [`${api.origin}`, new URL(fx.proxy.metricsUrl ?? '').origin]) {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  }
});
