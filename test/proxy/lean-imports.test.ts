// proxy/lean-imports.ts reaches into undici's internals and avoids an ESM import of node:http to
// keep ~5 MB out of every proxy. Checked in a fresh process, because any test that imports undici's
// index would hide a missing piece (the index mixes request() into every dispatcher).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../cli/run-switchyard.ts';

const SCRIPT = `
import { nodeHttp, UndiciPool } from ${JSON.stringify(join(repoRoot, 'proxy/lean-imports.ts'))};
const server = nodeHttp.createServer((req, res) => res.end(JSON.stringify({ path: req.url })));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const pool = new UndiciPool('http://127.0.0.1:' + server.address().port);
const response = await pool.request({ path: '/v1/models', method: 'GET' });
const body = await response.body.json();
const loaded = process.moduleLoadList.filter((m) => /deps\\/undici|worker_threads/.test(m));
const index = await import('undici');
await pool.close();
server.close();
console.log(JSON.stringify({ status: response.statusCode, body, loaded, same: index.Pool === UndiciPool }));
`;

test('the lean imports serve and send requests without loading what they leave out', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const result = JSON.parse(out) as {
    status: number;
    body: unknown;
    loaded: string[];
    same: boolean;
  };
  assert.equal(result.status, 200);
  assert.deepEqual(result.body, { path: '/v1/models' });
  assert.equal(result.same, true, "undici's index exports the same Pool class");
  assert.deepEqual(result.loaded, [], 'neither Node’s bundled undici nor worker_threads');
});
