// What a slow or greedy client can cost a proxy: bounded time per socket before and while it
// sends its request, and bounded memory for the bodies held at once. Over real sockets.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { policy, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let port: number;

before(async () => {
  fx = await startProxyFixture({
    proxy: {
      headersTimeoutMs: 600,
      bodyTimeoutMs: 800,
      bodyIdleTimeoutMs: 10_000,
      maxBodyBytes: 256 * 1024,
      maxInFlightBodyBytes: 1024 * 1024,
    },
  });
  port = fx.proxy.port;
});
after(async () => {
  await fx.close();
});

/** The value of a metric without labels in the proxy's exposition. */
async function metric(name: string): Promise<number> {
  const text = await (await fetch(fx.proxy.metricsUrl!)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

/** Opens a raw socket; resolves to what the server wrote once it closes the connection. */
function rawClient(): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let received = '';
  socket.on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
  return { socket, closed };
}

/** A client that sends its headers, then its body one byte every 100 ms (slow-loris). */
function trickleBody(): { socket: Socket; closed: Promise<string> } {
  const client = rawClient();
  client.socket.write(
    'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n',
  );
  const drip = setInterval(() => client.socket.write('{'), 100);
  client.socket.on('close', () => clearInterval(drip));
  return client;
}

test('200 clients trickling their bodies never count as requests in flight, and are cut off with 408', async () => {
  const clients = Array.from({ length: 200 }, () => trickleBody());
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(
    await metric('switchyard_requests_in_flight'),
    0,
    'bodies being read are not in flight',
  );
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(health.status, 200, 'the proxy still answers');
  const answers = await Promise.all(clients.map((c) => c.closed));
  for (const answer of answers) {
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /did not arrive within 800 ms/);
  }
});

test('a client sending its headers one line at a time is cut off once the headers timeout passes', async () => {
  const client = rawClient();
  client.socket.write('POST /v1/chat/completions HTTP/1.1\r\n');
  const drip = setInterval(() => client.socket.write('x-slow: 1\r\n'), 100);
  const started = performance.now();
  const answer = await client.closed;
  clearInterval(drip);
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.ok(performance.now() - started < 5000);
});

test('bodies past the in-flight budget are refused with 503 and Retry-After, never held', async () => {
  // Twenty 200 KiB bodies at once against a 1 MiB budget: about five fit.
  const body = JSON.stringify({
    model: 'auto',
    messages: [{ role: 'user', content: 'x'.repeat(200 * 1024) }],
  });
  fx.fakes.cheap.setDefault({ latencyMs: 300 });
  const responses = await Promise.all(
    Array.from({ length: 20 }, () =>
      fetch(`${fx.proxy.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(async (r) => ({
        status: r.status,
        retryAfter: r.headers.get('retry-after'),
        body: await r.text(),
      })),
    ),
  );
  fx.fakes.cheap.setDefault({});
  const refused = responses.filter((r) => r.status === 503);
  const served = responses.filter((r) => r.status === 200);
  assert.ok(refused.length > 0, 'some are refused');
  assert.ok(served.length > 0, 'the budget still serves what fits');
  assert.equal(refused.length + served.length, 20, JSON.stringify(responses.map((r) => r.status)));
  for (const r of refused) {
    assert.equal(r.retryAfter, '1');
    assert.match(r.body, /"code":"overloaded"/);
  }
  assert.equal(await metric('switchyard_request_body_bytes_in_flight'), 0, 'all released');
});

test('10,000 nested arrays in a request are a 400, not a stack overflow building the cache key', async () => {
  fx.apply({
    policies: [
      policy('cached', {
        model: 'cached',
        tiers: [{ name: 'only', targets: [{ provider: 'cheap', model: 'small' }] }],
        cache: { exact: { ttlSeconds: 60 } },
      }),
    ],
  });
  const response = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"model":"cached","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /deeper than 64 levels/);
});

test('a 6 KB model name is not echoed whole in the 404', async () => {
  const response = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm'.repeat(6000), messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(response.status, 404);
  const body = await response.text();
  assert.ok(body.length < 600, `the error is ${body.length} characters`);
  assert.match(body, /… \(6000 characters\)/);
});
