// A price feed on loopback, for the sync tests: it serves a document (OpenRouter's or LiteLLM's
// shape, as the test sets it) with an ETag and Last-Modified and honours If-None-Match and
// If-Modified-Since as the real CDNs do, and can be told to fail the ways feeds fail: down,
// hanging, a 5xx, a redirect, garbage, or a body far larger than any feed.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/** How the feed answers. */
export type FeedMode =
  | { kind: 'serve' }
  /** Accepts connections and closes them at once. */
  | { kind: 'down' }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  | { kind: 'status'; status: number; location?: string }
  /** A body of `bytes` bytes of JSON-looking filler; with `declare`, a Content-Length too. */
  | { kind: 'huge'; bytes: number; declare: boolean }
  /** A small gzip body that inflates to `bytes` bytes. */
  | { kind: 'gzip-bomb'; bytes: number };

/** One request the feed received. */
export interface FeedRequestRecord {
  path: string;
  headers: IncomingMessage['headers'];
  status: number;
}

/** A running fake feed. */
export interface FeedServer {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Replaces the document (a new ETag and Last-Modified). */
  setDocument(text: string): void;
  setMode(mode: FeedMode): void;
  /** When set, only requests whose `header` equals `value` are answered (else 401). */
  requireHeader(header: string, value: string): void;
  /** Serve gzip to clients that accept it. */
  gzip: boolean;
  readonly requests: FeedRequestRecord[];
  /** Bytes of body written for the last request (to see that a refused body was cut short). */
  readonly lastBodyBytes: number;
  close(): Promise<void>;
}

/** Starts a feed server on a free loopback port. */
export async function startFeedServer(initial = '{"data":[]}'): Promise<FeedServer> {
  let document = initial;
  let etag = '';
  let lastModified = '';
  let version = 0;
  let mode: FeedMode = { kind: 'serve' };
  let required: { header: string; value: string } | undefined;
  let lastBodyBytes = 0;
  let gzipEnabled = false;
  // Compressed once when the mode is set: gzipping 50 MB takes seconds on a busy machine.
  let bomb: Buffer | undefined;
  const requests: FeedRequestRecord[] = [];
  const sockets = new Set<Socket>();

  const setDocument = (text: string): void => {
    document = text;
    version += 1;
    etag = `"${createHash('sha256').update(text).digest('hex').slice(0, 16)}"`;
    // Whole seconds, as HTTP dates are; each version a second later than the last.
    lastModified = new Date(Date.UTC(2026, 11, 1, 0, 0, version)).toUTCString();
  };
  setDocument(initial);

  /** Answers as the failure modes do; false in `serve` mode (the document is served). */
  const answerFault = (
    req: IncomingMessage,
    res: ServerResponse,
    record: (status: number) => void,
  ): boolean => {
    switch (mode.kind) {
      case 'serve':
        return false;
      case 'down':
        record(0);
        req.socket.destroy();
        return true;
      case 'hang':
        record(0);
        return true;
      case 'status': {
        record(mode.status);
        const headers = mode.location === undefined ? {} : { location: mode.location };
        res.writeHead(mode.status, headers).end('{"error":"feed unavailable"}');
        return true;
      }
      case 'huge':
        record(200);
        writeHuge(res, mode.bytes, mode.declare, (n) => (lastBodyBytes = n));
        return true;
      case 'gzip-bomb': {
        record(200);
        const body = bomb ?? Buffer.alloc(0);
        lastBodyBytes = body.length;
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(body);
        return true;
      }
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const record = (status: number): void => {
      requests.push({ path: req.url ?? '/', headers: req.headers, status });
    };
    // A feed that is down or hangs never gets as far as checking the credential.
    const failing = mode.kind === 'down' || mode.kind === 'hang';
    if (failing && answerFault(req, res, record)) return;
    if (required !== undefined && req.headers[required.header.toLowerCase()] !== required.value) {
      record(401);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    if (answerFault(req, res, record)) return;
    if (
      req.headers['if-none-match'] === etag ||
      req.headers['if-modified-since'] === lastModified
    ) {
      record(304);
      res.writeHead(304, { etag, 'last-modified': lastModified }).end();
      return;
    }
    record(200);
    const gzip = gzipEnabled && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? gzipSync(document) : Buffer.from(document);
    lastBodyBytes = body.length;
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': body.length,
      etag,
      'last-modified': lastModified,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setDocument,
    setMode: (next) => {
      mode = next;
      bomb = next.kind === 'gzip-bomb' ? gzipSync(Buffer.alloc(next.bytes, 0x20)) : undefined;
    },
    requireHeader: (header, value) => {
      required = { header, value };
    },
    get gzip() {
      return gzipEnabled;
    },
    set gzip(value: boolean) {
      gzipEnabled = value;
    },
    requests,
    get lastBodyBytes() {
      return lastBodyBytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes `bytes` bytes in 64 KiB chunks, honouring backpressure, until done or the client leaves. */
function writeHuge(
  res: ServerResponse,
  bytes: number,
  declare: boolean,
  progress: (written: number) => void,
): void {
  res.writeHead(200, {
    'content-type': 'application/json',
    ...(declare ? { 'content-length': bytes } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let written = 0;
  const pump = (): void => {
    while (written < bytes && !res.destroyed) {
      const size = Math.min(chunk.length, bytes - written);
      written += size;
      progress(written);
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}
