// The image runs the sources compiled by `npm run build` (tsconfig.build.json), not the TypeScript
// itself: this checks that build compiles, validates the examples and serves, and that every
// source the Dockerfile copies exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startSwitchyard } from '../cli/run-switchyard.ts';

const PORT = 18190;
const METRICS_PORT = 18191;

test('the production build validates the examples and serves the demo policies', async (t) => {
  // Inside the repository, so that the compiled files resolve packages from its node_modules.
  const cache = join(repoRoot, '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'test-build-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], {
    cwd: repoRoot,
  });
  const main = join(out, 'cli/main.js');
  const validated = execFileSync(process.execPath, [main, 'validate', 'examples'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.match(validated, /^ok: \d+ objects/);

  const args = ['serve', '--manifests', 'demo', '--host', '127.0.0.1'];
  const ports = ['--port', String(PORT), '--metrics-port', String(METRICS_PORT)];
  const { child, output, exited } = startSwitchyard([...args, ...ports], main);
  try {
    await waitForReady(`http://127.0.0.1:${PORT}/readyz`);
    const models = (await (await fetch(`http://127.0.0.1:${PORT}/v1/models`)).json()) as {
      data: { id: string }[];
    };
    assert.ok(
      models.data.some((m) => m.id === 'auto'),
      JSON.stringify(models),
    );
    const metrics = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await metrics.text(), /switchyard_config_info\{hash="[0-9a-f]+"\} 1/);
    const ready = await fetch(`http://127.0.0.1:${METRICS_PORT}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${METRICS_PORT}/nope`)).status, 404);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output());
});

test('every source the Dockerfile copies exists', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
    (m[1] ?? '').split(/\s+/),
  );
  assert.ok(sources.includes('tsconfig.build.json'), sources.join(' '));
  for (const source of sources) assert.ok(existsSync(join(repoRoot, source)), source);
});

async function waitForReady(url: string): Promise<void> {
  const started = performance.now();
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 20_000) throw new Error(`${url} never became ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
