import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { UpstreamFailure } from '../providers/adapter-error.ts';
import { UpstreamClient } from './upstream-client.ts';

let server: Server;
let origin: string;
let closedEarly = 0;

before(async () => {
  server = createServer((req, res) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? 0);
    const delayMs = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    res.on('close', () => {
      if (!res.writableFinished) closedEarly++;
    });
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-answer': 'yes' });
      // In 16 KiB pieces, as a real upstream streams a large body.
      const piece = 'x'.repeat(16 * 1024);
      for (let sent = 0; sent < size; sent += piece.length) {
        if (res.destroyed) return;
        res.write(piece.slice(0, Math.min(piece.length, size - sent)));
      }
      res.end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const get = (query: string) => ({
  url: `${origin}/?${query}`,
  method: 'GET' as const,
  headers: {},
});

test('sendAndRead returns the status, headers and whole body', async () => {
  const client = new UpstreamClient();
  try {
    const answer = await client.sendAndRead(get('size=40000'), new AbortController().signal);
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['x-answer'], 'yes');
    assert.equal(answer.text.length, 40_000);
  } finally {
    await client.close();
  }
});

test('an answer over maxAnswerBytes fails as a bad response and its connection is dropped', async () => {
  const client = new UpstreamClient({ maxAnswerBytes: 100_000 });
  const before = closedEarly;
  try {
    await assert.rejects(
      client.sendAndRead(get('size=10000000'), new AbortController().signal),
      (error: unknown) =>
        error instanceof UpstreamFailure &&
        error.kind === 'bad_response' &&
        /exceeds 100000 bytes/.test(error.message),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(closedEarly, before + 1, 'the upstream saw the connection close mid-answer');
  } finally {
    await client.close();
  }
});

test('aborting the signal cancels a request that is waiting for its answer', async () => {
  const client = new UpstreamClient();
  const controller = new AbortController();
  const started = performance.now();
  try {
    const pending = client.sendAndRead(get('size=10&delay=2000'), controller.signal);
    setTimeout(() => controller.abort(new Error('client gone')), 50);
    await assert.rejects(pending, /client gone/);
    assert.ok(performance.now() - started < 1000);
  } finally {
    await client.close();
  }
});
