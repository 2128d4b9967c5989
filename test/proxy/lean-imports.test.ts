// proxy/lean-imports.ts reaches into undici's and prom-client's internals and avoids an ESM import
// of node:http to keep ~10 MB out of every proxy. Checked in a fresh process, because any test that imports undici's
// index would hide a missing piece (the index mixes request() into every dispatcher).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../cli/run-switchyard.ts';

const SCRIPT = `
import { nodeHttp, promClient, UndiciPool } from ${JSON.stringify(join(repoRoot, 'proxy/lean-imports.ts'))};
const server = nodeHttp.createServer((req, res) => res.end(JSON.stringify({ path: req.url })));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const pool = new UndiciPool('http://127.0.0.1:' + server.address().port);
const response = await pool.request({ path: '/v1/models', method: 'GET' });
const body = await response.body.json();
const registry = new promClient.Registry();
promClient.collectDefaultMetrics({ register: registry });
new promClient.Counter({ name: 'c_total', help: 'c', registers: [registry] }).inc();
new promClient.Gauge({ name: 'g', help: 'g', registers: [registry] }).set(2);
new promClient.Histogram({ name: 'h', help: 'h', buckets: [1], registers: [registry] }).observe(0.5);
const text = await registry.metrics();
const metrics = ['c_total 1', 'g 2', 'h_bucket{le="1"} 1', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes'].filter((line) => text.includes(line));
const loaded = process.moduleLoadList.filter((m) => /deps\\/undici|worker_threads|NativeModule (http2|https|zlib)$/.test(m));
// An upstream that speaks HTTP/2 (cleartext here) still works: undici's h2 client loads then.
const http2 = await import('node:http2');
const h2Server = http2.createServer((req, res) => res.end(JSON.stringify({ h2: req.httpVersion })));
await new Promise((resolve) => h2Server.listen(0, '127.0.0.1', resolve));
const h2Pool = new UndiciPool('http://127.0.0.1:' + h2Server.address().port, { useH2c: true });
const h2Body = await (await h2Pool.request({ path: '/', method: 'GET' })).body.json();
await h2Pool.close();
h2Server.close();
const index = await import('undici');
const prom = await import('prom-client');
const samePromClient = ['Registry', 'Counter', 'Gauge', 'Histogram', 'collectDefaultMetrics'].every((name) => prom[name] === promClient[name]);
await pool.close();
server.close();
console.log(JSON.stringify({ status: response.statusCode, body, h2Body, loaded, metrics, same: index.Pool === UndiciPool, samePromClient }));
`;

test('the lean imports serve, send requests and render metrics without loading what they leave out', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const result = JSON.parse(out) as {
    status: number;
    body: unknown;
    h2Body: unknown;
    loaded: string[];
    metrics: string[];
    same: boolean;
    samePromClient: boolean;
  };
  assert.equal(result.status, 200);
  assert.deepEqual(result.body, { path: '/v1/models' });
  assert.deepEqual(
    result.h2Body,
    { h2: '2.0' },
    'an HTTP/2 upstream is served by the lazy h2 client',
  );
  assert.equal(result.same, true, "undici's index exports the same Pool class");
  assert.equal(result.samePromClient, true, "prom-client's index exports the same classes");
  assert.equal(result.metrics.length, 5, `metrics rendered: ${result.metrics.join(', ')}`);
  assert.deepEqual(
    result.loaded,
    [],
    'neither Node’s bundled undici, worker_threads, http2, https nor zlib',
  );
});
