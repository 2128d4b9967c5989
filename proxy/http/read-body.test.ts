import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ProxyError } from '../errors/proxy-error.ts';
import { readBody } from './read-body.ts';

/** Serves one request through readBody(limit) and reports what it resolved or rejected with. */
async function readThrough(
  limit: number,
  send: (req: ReturnType<typeof request>) => void,
): Promise<Buffer | Error> {
  let outcome: Promise<Buffer | Error> = Promise.resolve(new Error('no request'));
  const server = createServer((req: IncomingMessage, res) => {
    outcome = readBody(req, limit).catch((error: unknown) => error as Error);
    void outcome.then(() => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    const req = request({ port, method: 'POST', host: '127.0.0.1' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', () => resolve()); // the server may reset an upload it refused
    send(req);
  });
  server.close();
  return outcome;
}

test('a chunked body is read whole, a chunked body over the limit is refused with 413', async () => {
  const whole = await readThrough(10, (req) => {
    req.write('hello');
    req.end(' you');
  });
  assert.deepEqual(whole, Buffer.from('hello you'));
  const tooLarge = await readThrough(10, (req) => {
    req.write('0123456789');
    req.end('overflow');
  });
  assert.ok(tooLarge instanceof ProxyError);
  assert.equal(tooLarge.code, 'BODY_TOO_LARGE');
});

test('a declared content-length over the limit is refused before reading', async () => {
  const refused = await readThrough(4, (req) => {
    req.setHeader('content-length', '5');
    req.end('12345');
  });
  assert.ok(refused instanceof ProxyError);
  assert.match(refused.message, /request body is 5 bytes; the limit is 4/);
});

test('a client that leaves in the middle of its body is a closed request (499), not a proxy fault', async () => {
  const left = await readThrough(1000, (req) => {
    req.setHeader('content-length', '100');
    req.write('only part of it');
    setTimeout(() => req.destroy(), 20);
  });
  assert.ok(left instanceof ProxyError);
  assert.equal(left.code, 'CLIENT_CLOSED_REQUEST');
  assert.equal(left.status, 499);
  assert.equal(left.origin, 'caller');
});
