import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { KubeApiError, KubeRest, type WatchEvent } from './kube-rest.ts';

let server: Server;
let base: string;
const seen: { url: string; authorization: string | undefined }[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.endsWith('/forbidden')) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', message: 'secrets is forbidden: no access' }));
    } else if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      // One event split across two writes, in the middle of a UTF-8 character, then a second
      // one: lines, not chunks, are events.
      const first = Buffer.from(
        JSON.stringify({
          type: 'ADDED',
          object: { metadata: { name: 'a' }, data: { k: 'prix €' } },
        }),
      );
      const cut = first.indexOf(Buffer.from('€')) + 1;
      res.write(first.subarray(0, cut));
      setTimeout(() => {
        res.write(Buffer.concat([first.subarray(cut), Buffer.from('\n')]));
        res.end(
          `${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } })}\n`,
        );
      }, 20);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ metadata: { resourceVersion: '5' }, items: [] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/k8s/clusters/c-1`;
});
after(() => server.close());

const rest = (): KubeRest =>
  new KubeRest({
    server: base,
    tls: {},
    headers: () => Promise.resolve({ authorization: 'Bearer t' }),
  });

test('get sends the path under the server URL, the query and the credentials', async () => {
  const client = rest();
  try {
    const listed = await client.get(
      '/api/v1/namespaces/ns/configmaps',
      { fieldSelector: 'metadata.name=x' },
      new AbortController().signal,
    );
    assert.deepEqual(listed, { metadata: { resourceVersion: '5' }, items: [] });
    assert.deepEqual(seen.at(-1), {
      url: '/k8s/clusters/c-1/api/v1/namespaces/ns/configmaps?fieldSelector=metadata.name%3Dx',
      authorization: 'Bearer t',
    });
  } finally {
    await client.close();
  }
});

test('a refused call throws KubeApiError with the status and the Status message', async () => {
  const client = rest();
  try {
    await assert.rejects(
      client.get('/forbidden', {}, new AbortController().signal),
      (error: unknown) =>
        error instanceof KubeApiError &&
        error.statusCode === 403 &&
        error.message === 'secrets is forbidden: no access',
    );
  } finally {
    await client.close();
  }
});

test('watch hands on one event per line, across chunk and character boundaries, until the server ends', async () => {
  const client = rest();
  const events: WatchEvent[] = [];
  try {
    await client.watch('/api/v1/namespaces/ns/configmaps', {}, new AbortController().signal, (e) =>
      events.push(e),
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'BOOKMARK'],
    );
    assert.deepEqual(events[0]?.object['data'], { k: 'prix €' });
    assert.match(seen.at(-1)?.url ?? '', /watch=true/);
  } finally {
    await client.close();
  }
});
