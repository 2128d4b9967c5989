// The fetcher against a real HTTP server on loopback: conditional requests, the size limit (also
// for a body without Content-Length and for a gzip that inflates past it), the deadline, the
// answers it refuses, and error messages that never carry the credential.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFeedServer, type FeedServer } from '../../test/fakes/feed-server.ts';
import { freePort } from '../../test/harness/ports.ts';
import { FeedFetcher, FeedFetchError, printableUrl, type FeedRequest } from './feed-fetcher.ts';

const MiB = 1024 * 1024;
const DOCUMENT = JSON.stringify({ data: [{ id: 'a/b', pricing: { prompt: '0.000001' } }] });
const TOKEN = 'feed-token-7d1f0c2e9a';

describe('fetching a feed document', () => {
  let feed: FeedServer;
  const fetcher = new FeedFetcher();
  const request = (extra: Partial<FeedRequest> = {}): FeedRequest => ({
    url: `${feed.url}/api/v1/models`,
    timeoutMs: 2000,
    maxBytes: 16 * MiB,
    ...extra,
  });

  before(async () => {
    feed = await startFeedServer(DOCUMENT);
  });
  after(async () => {
    await fetcher.close();
    await feed.close();
  });

  async function failure(req: FeedRequest): Promise<FeedFetchError> {
    try {
      await fetcher.fetch(req);
    } catch (error) {
      assert.ok(error instanceof FeedFetchError, String(error));
      return error;
    }
    assert.fail('the fetch succeeded');
  }

  test('a 200 gives the document with its ETag and Last-Modified', async () => {
    feed.setMode({ kind: 'serve' });
    const response = await fetcher.fetch(request());
    assert.equal(response.kind, 'document');
    assert.equal(response.kind === 'document' && response.text, DOCUMENT);
    assert.match(response.kind === 'document' ? (response.etag ?? '') : '', /^"[0-9a-f]{16}"$/);
  });

  test('an unchanged document answers 304 to If-None-Match, and to If-Modified-Since alone', async () => {
    const first = await fetcher.fetch(request());
    assert.equal(first.kind, 'document');
    if (first.kind !== 'document') return;
    assert.deepEqual(await fetcher.fetch(request({ etag: first.etag })), { kind: 'not-modified' });
    assert.equal(feed.requests.at(-1)?.headers['if-none-match'], first.etag);
    const byDate = await fetcher.fetch(request({ lastModified: first.lastModified }));
    assert.deepEqual(byDate, { kind: 'not-modified' });
    feed.setDocument(`${DOCUMENT} `);
    assert.equal((await fetcher.fetch(request({ etag: first.etag }))).kind, 'document');
  });

  test('a gzipped answer is inflated', async () => {
    feed.gzip = true;
    try {
      const response = await fetcher.fetch(request());
      assert.equal(feed.requests.at(-1)?.headers['accept-encoding'], 'gzip');
      assert.equal(response.kind === 'document' && response.text.trim(), DOCUMENT);
    } finally {
      feed.gzip = false;
    }
  });

  test('a 50 MB document that declares its length is refused before its body is read', async () => {
    feed.setMode({ kind: 'huge', bytes: 50 * MiB, declare: true });
    const error = await failure(request());
    assert.equal(error.code, 'TooLarge');
    assert.match(error.message, /larger than maxSizeMiB \(16 MiB\): it declares 52428800 bytes/);
  });

  test('a 50 MB document without Content-Length is cut off at the limit', async () => {
    feed.setMode({ kind: 'huge', bytes: 50 * MiB, declare: false });
    const error = await failure(request({ maxBytes: 1 * MiB }));
    assert.equal(error.code, 'TooLarge');
    // The server stops once the kernel's buffers fill: far short of 50 MB.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(feed.lastBodyBytes < 20 * MiB, `the server wrote ${feed.lastBodyBytes} bytes`);
  });

  test('a small gzip body that inflates past the limit is refused', async () => {
    feed.setMode({ kind: 'gzip-bomb', bytes: 50 * MiB });
    const error = await failure(request({ timeoutMs: 20_000 }));
    assert.equal(error.code, 'TooLarge');
    assert.ok(feed.lastBodyBytes < 100_000, 'the compressed body was small');
  });

  test('a feed that never answers fails at the deadline', async () => {
    feed.setMode({ kind: 'hang' });
    const started = performance.now();
    const error = await failure(request({ timeoutMs: 300 }));
    assert.equal(error.code, 'FetchFailed');
    assert.match(error.message, /no complete answer within timeoutSeconds \(0\.3 s\)/);
    assert.ok(performance.now() - started < 2000);
  });

  test('a closed port and a dropped connection are fetch failures', async () => {
    const port = await freePort();
    const refused = await failure(request({ url: `http://127.0.0.1:${port}/models` }));
    assert.equal(refused.code, 'FetchFailed');
    assert.match(refused.message, /ECONNREFUSED/);
    feed.setMode({ kind: 'down' });
    assert.equal((await failure(request())).code, 'FetchFailed');
  });

  test('a 503 is an HTTP error; a redirect is not followed and says where it led', async () => {
    feed.setMode({ kind: 'status', status: 503 });
    const unavailable = await failure(request());
    assert.deepEqual(
      [unavailable.code, unavailable.message],
      ['HTTPError', `GET ${feed.url}/api/v1/models answered 503`],
    );
    feed.setMode({
      kind: 'status',
      status: 302,
      location: 'https://cdn.example/models.json?sig=secret',
    });
    const redirect = await failure(request());
    assert.equal(redirect.code, 'HTTPError');
    assert.match(
      redirect.message,
      /302, a redirect to https:\/\/cdn\.example\/models\.json; redirects are not followed/,
    );
    assert.doesNotMatch(redirect.message, /sig=/);
  });

  test('the credential is sent in its header and appears in no error message', async () => {
    feed.setMode({ kind: 'serve' });
    feed.requireHeader('Authorization', `Bearer ${TOKEN}`);
    const credential = { header: 'Authorization', value: `Bearer ${TOKEN}` };
    assert.equal((await fetcher.fetch(request({ credential }))).kind, 'document');
    const wrong = await failure(
      request({ credential: { header: 'Authorization', value: 'Bearer nope' } }),
    );
    assert.match(wrong.message, /answered 401: check spec\.auth/);
    for (const mode of [{ kind: 'hang' } as const, { kind: 'down' } as const]) {
      feed.setMode(mode);
      const error = await failure(request({ credential, timeoutMs: 300 }));
      assert.doesNotMatch(`${error.message} ${error.stack ?? ''}`, new RegExp(TOKEN));
    }
  });

  test('printable URLs drop user info and the query string', () => {
    assert.equal(
      printableUrl('https://user:pw@prices.example.com/v1/models?key=abc#x'),
      'https://prices.example.com/v1/models',
    );
  });
});
