import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { BodyReader, DEFAULT_BODY_LIMITS, type BodyLimits } from './body-reader.ts';
import { ProxyError } from '../errors/proxy-error.ts';

type Outcome = Buffer | ProxyError;

/** A server answering each request with what BodyReader resolved (200) or its error's status. */
async function withServer(
  limits: Partial<BodyLimits>,
  run: (port: number, reader: BodyReader, outcomes: Promise<Outcome>[]) => Promise<void>,
  hold: (res: ServerResponse) => boolean = () => false,
): Promise<void> {
  const reader = new BodyReader({ ...DEFAULT_BODY_LIMITS, ...limits }, () => performance.now());
  const outcomes: Promise<Outcome>[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const outcome = reader.read(req, res).catch((error: unknown) => error as ProxyError);
    outcomes.push(outcome);
    void outcome.then((value) => {
      if (value instanceof ProxyError) {
        const headers: Record<string, string> = {};
        if (value.retryAfterSeconds !== undefined)
          headers['retry-after'] = String(value.retryAfterSeconds);
        if (value.closeConnection) headers['connection'] = 'close';
        res.writeHead(value.status, headers).end(value.message);
      } else if (!hold(res)) res.end(value);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run((server.address() as AddressInfo).port, reader, outcomes);
  } finally {
    server.closeAllConnections();
    server.close();
    reader.close();
  }
}

/** Sends one request; resolves to the status and body the client saw, or the client's error. */
function send(
  port: number,
  write: (req: ReturnType<typeof request>) => void,
): Promise<{ status: number; body: string; retryAfter?: string } | Error> {
  return new Promise((resolve) => {
    const req = request({ port, method: 'POST', host: '127.0.0.1' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          ...(res.headers['retry-after'] === undefined
            ? {}
            : { retryAfter: res.headers['retry-after'] }),
        }),
      );
    });
    req.on('error', (error) => resolve(error));
    write(req);
  });
}

test('a chunked body is read whole', async () => {
  await withServer({ maxBodyBytes: 10, maxInFlightBodyBytes: 100 }, async (port) => {
    const seen = await send(port, (req) => {
      req.write('hello');
      req.end(' you');
    });
    assert.deepEqual(seen, { status: 200, body: 'hello you' });
  });
});

test('a chunked body over the limit gets its 413, not a connection reset, even while it keeps sending', async () => {
  await withServer({ maxBodyBytes: 1024, maxInFlightBodyBytes: 4096 }, async (port) => {
    const seen = await send(port, (req) => {
      // Keeps uploading 64 KiB pieces after the limit, like a client that does not read early answers.
      let sent = 0;
      const more = (): void => {
        if (sent > 512 * 1024 || req.destroyed) return void req.end();
        sent += 65536;
        if (req.write(Buffer.alloc(65536, 'x'))) setImmediate(more);
        else req.once('drain', more);
      };
      more();
    });
    assert.ok(!(seen instanceof Error), `the client saw ${JSON.stringify(seen)}`);
    assert.equal(seen.status, 413);
    assert.match(seen.body, /exceeds the limit of 1024 bytes/);
  });
});

test('a declared content-length over the limit is refused before reading', async () => {
  await withServer({ maxBodyBytes: 4, maxInFlightBodyBytes: 100 }, async (port) => {
    const seen = await send(port, (req) => {
      req.setHeader('content-length', '5');
      req.end('12345');
    });
    assert.ok(!(seen instanceof Error));
    assert.equal(seen.status, 413);
    assert.match(seen.body, /request body is 5 bytes; the limit is 4/);
  });
});

test('a client that leaves in the middle of its body is a closed request (499), not a proxy fault', async () => {
  await withServer(
    { maxBodyBytes: 1000, maxInFlightBodyBytes: 1000 },
    async (port, _r, outcomes) => {
      await send(port, (req) => {
        req.setHeader('content-length', '100');
        req.write('only part of it');
        setTimeout(() => req.destroy(), 20);
      });
      const left = await outcomes[0];
      assert.ok(left instanceof ProxyError);
      assert.equal(left.code, 'CLIENT_CLOSED_REQUEST');
      assert.equal(left.status, 499);
      assert.equal(left.origin, 'caller');
    },
  );
});

test('a body sent one byte at a time is cut off with 408 once the body timeout passes', async () => {
  await withServer({ bodyTimeoutMs: 300, bodyIdleTimeoutMs: 10_000 }, async (port) => {
    const started = performance.now();
    const seen = await send(port, (req) => {
      req.setHeader('content-length', '1000');
      const drip = setInterval(() => (req.destroyed ? clearInterval(drip) : req.write('x')), 50);
      req.on('close', () => clearInterval(drip));
    });
    assert.ok(!(seen instanceof Error), JSON.stringify(seen));
    assert.equal(seen.status, 408);
    assert.match(seen.body, /did not arrive within 300 ms/);
    assert.ok(performance.now() - started < 5000);
  });
});

test('a body that stalls is cut off with 408 once the idle timeout passes', async () => {
  await withServer({ bodyTimeoutMs: 60_000, bodyIdleTimeoutMs: 200 }, async (port) => {
    const seen = await send(port, (req) => {
      req.setHeader('content-length', '1000');
      req.write('a start, then silence');
    });
    assert.ok(!(seen instanceof Error), JSON.stringify(seen));
    assert.equal(seen.status, 408);
    assert.match(seen.body, /stalled for more than 200 ms/);
  });
});

test('bodies past the in-flight budget get 503 with Retry-After, and the budget frees when answers close', async () => {
  const held: ServerResponse[] = [];
  await withServer(
    { maxBodyBytes: 600, maxInFlightBodyBytes: 1000 },
    async (port, reader) => {
      const body = 'x'.repeat(600);
      // The first is held unanswered: its 600 bytes stay reserved.
      const first = send(port, (req) => req.end(body));
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(reader.inFlightBytes, 600);
      const refused = await send(port, (req) => req.end(body));
      assert.ok(!(refused instanceof Error));
      assert.equal(refused.status, 503);
      assert.equal(refused.retryAfter, '1');
      const chunked = await send(port, (req) => {
        req.write(body.slice(0, 300));
        req.end(body.slice(300));
      });
      assert.ok(!(chunked instanceof Error));
      assert.equal(chunked.status, 503, 'a chunked body is refused once it would pass the budget');
      held[0]!.end('done');
      await first;
      const after = await send(port, (req) => req.end(body));
      assert.ok(!(after instanceof Error));
      assert.equal(after.status, 200);
    },
    (res) => held.length === 0 && held.push(res) > 0,
  );
});

test('a budget smaller than the largest body is refused at startup', () => {
  assert.throws(
    () => new BodyReader({ ...DEFAULT_BODY_LIMITS, maxInFlightBodyBytes: 10 }, () => 0),
    /in-flight body budget \(10 bytes\) is smaller than the largest body/,
  );
});
