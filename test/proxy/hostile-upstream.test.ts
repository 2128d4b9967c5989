// An upstream that misbehaves in ways that would cost the proxy memory fails its attempt, and the
// request fails over, instead of the proxy buffering without end.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { policy, provider, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let endless: Server;
let bytesSent = 0;

before(async () => {
  // Answers every chat request with a stream whose first line never ends.
  endless = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"choices":[{"delta":{"content":"');
    const piece = 'x'.repeat(64 * 1024);
    const more = (): void => {
      while (!res.destroyed && bytesSent < 64 * 1024 * 1024) {
        bytesSent += piece.length;
        if (!res.write(piece)) return void res.once('drain', more);
      }
    };
    more();
  });
  await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
  fx = await startProxyFixture();
  const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/v1`;
  fx.apply({
    providers: [
      provider('endless', 'openai', url, [
        {
          name: 'm',
          contextWindow: 32000,
          pricing: { inputPerMillion: 0, outputPerMillion: 0 },
          capabilities: ['streaming'],
        },
      ]),
    ],
    policies: [
      policy('endless-first', {
        model: 'endless-first',
        tiers: [
          {
            name: 'only',
            strategy: 'ordered',
            targets: [
              { provider: 'endless', model: 'm' },
              { provider: 'cheap', model: 'small' },
            ],
          },
        ],
        // Long enough that only the line limit, not a timeout, can end the first attempt.
        failover: { attemptTimeoutMs: 60000, ttftTimeoutMs: 30000, retries: { max: 0 } },
      }),
    ],
  });
});
after(async () => {
  endless.closeAllConnections();
  endless.close();
  await fx.close();
});

test('an upstream streaming one endless SSE line fails its attempt at the line limit, and the stream fails over', async () => {
  const client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'x', maxRetries: 0 });
  const { data, response } = await client.chat.completions
    .create({ model: 'endless-first', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    .withResponse();
  let text = '';
  for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
  assert.ok(text.length > 0, 'the fallback answered');
  assert.equal(response.headers.get('x-switchyard-provider'), 'cheap');
  assert.equal(response.headers.get('x-switchyard-attempts'), '2');
  const fallbacks = await fx.proxy.ctx.metrics.fallbacks.get();
  assert.ok(
    fallbacks.values.some((v) => v.labels['reason'] === 'bad_response' && v.value === 1),
    JSON.stringify(fallbacks.values),
  );
  assert.ok(bytesSent < 64 * 1024 * 1024, `the proxy read ${bytesSent} bytes before giving up`);
});
