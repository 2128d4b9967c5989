// Issue 3: "streams relay chunk by chunk with backpressure and no unbounded buffering". A client
// that stops reading must stop the provider too (through TCP), not make the proxy buffer the rest
// of the stream; when it reads again, every byte arrives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { policy, provider, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

/** Content of each streamed chunk, and how many: 256 MiB, more than loopback buffers can hold. */
const PIECE = 'x'.repeat(32 * 1024);
const PIECES = 8192;

let fx: ProxyFixture;
let firehose: Server;
/** Bytes the provider has handed to its socket so far. */
let written = 0;

const sse = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-firehose',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'big',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

/** An OpenAI-style provider that streams as fast as its socket takes it, honouring `drain`. */
function startFirehose(): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const write = (text: string): boolean => {
      written += text.length;
      return res.write(text);
    };
    const pump = (): void => {
      while (sent < PIECES) {
        sent += 1;
        if (!write(sse({ content: PIECE }))) {
          res.once('drain', pump);
          return;
        }
      }
      write(sse({}, 'stop'));
      res.end('data: [DONE]\n\n');
    };
    write(sse({ role: 'assistant', content: '' }));
    pump();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  fx = await startProxyFixture();
  firehose = await startFirehose();
  const { port } = firehose.address() as AddressInfo;
  fx.apply({
    providers: [
      provider('firehose', 'openai', `http://127.0.0.1:${port}/v1`, [
        {
          name: 'big',
          contextWindow: 32000,
          pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 },
          capabilities: ['streaming'],
        },
      ]),
    ],
    policies: [
      policy('firehose', {
        model: 'firehose',
        tiers: [{ name: 'only', targets: [{ provider: 'firehose', model: 'big' }] }],
        failover: { attemptTimeoutMs: 30_000, ttftTimeoutMs: 5000, totalTimeoutMs: 60_000 },
      }),
    ],
  });
});
after(async () => {
  firehose.closeAllConnections();
  firehose.close();
  await fx.close();
});

test('a client that stops reading stops the provider; when it reads again, all of it arrives', async () => {
  const { port } = new URL(fx.proxy.url);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      resolve,
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        model: 'firehose',
        messages: [{ role: 'user', content: 'all' }],
        stream: true,
      }),
    );
  });
  assert.equal(response.statusCode, 200);
  let received = 0;
  let tail = '';
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    tail = (tail + chunk.toString('latin1')).slice(-64);
  };
  response.on('data', onData);
  while (received === 0) await delay(5);
  response.pause();

  await delay(1000);
  const afterOneSecond = written;
  await delay(1000);
  const total = PIECES * PIECE.length;
  assert.equal(written, afterOneSecond, 'the provider is held while the client does not read');
  assert.ok(
    written < total / 2,
    `the proxy did not soak up the stream: the provider wrote ${(written / 2 ** 20).toFixed(1)} of ${total / 2 ** 20} MiB`,
  );

  const ended = new Promise((resolve) => response.on('end', resolve));
  response.resume();
  await ended;
  assert.ok(received > total, `every piece arrived (${received} bytes for ${total} of content)`);
  assert.match(tail, /data: \[DONE\]\n\n$/);
});
