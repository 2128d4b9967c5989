// `switchyard serve --manifests DIR` is ready only once DIR compiles to a config worth serving,
// as cluster mode is only once the operator published one: an empty or broken folder leaves
// /readyz at 503 (and says why on stderr) until it is fixed; the folder is watched.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveManifests } from '../../cli/serve-manifests.ts';
import { tempManifests } from './run-switchyard.ts';

const PROVIDER = `apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: local }
spec:
  api: openai
  baseURL: http://127.0.0.1:9/v1
  models:
    - { name: llama, contextWindow: 8192, pricing: { inputPerMillion: 0, outputPerMillion: 0 } }
`;

async function readiness(files: Record<string, string>, fix?: Record<string, string>) {
  const dir = tempManifests(files);
  const lines: string[] = [];
  const served = await serveManifests({
    manifests: dir.dir,
    port: 0,
    metricsPort: null,
    host: '127.0.0.1',
    quiet: true,
    io: { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) },
  });
  const ready = async () => {
    const origin = new URL(served.proxy.url).origin;
    const response = await fetch(`${origin}/readyz`);
    return { status: response.status, body: await response.text() };
  };
  try {
    const before = await ready();
    let after: { status: number; body: string } | undefined;
    if (fix !== undefined) {
      for (const [name, text] of Object.entries(fix)) writeFileSync(join(dir.dir, name), text);
      await served.reload();
      after = await ready();
    }
    return { before, after, lines };
  } finally {
    await served.close();
    dir.cleanup();
  }
}

test('an empty folder is not ready, and says why', async () => {
  const { before, lines } = await readiness({});
  assert.equal(before.status, 503);
  assert.ok(
    lines.some((l) => /not ready: .* defines no usable ModelProvider or RoutePolicy/.test(l)),
    lines.join('\n'),
  );
});

test('a folder of broken manifests is not ready until they are fixed', async () => {
  const { before, after, lines } = await readiness(
    { 'broken.yaml': 'kind: ModelProvider\nspec: [unclosed\n' },
    { 'broken.yaml': PROVIDER },
  );
  assert.equal(before.status, 503);
  assert.ok(
    lines.some((l) => /YAML|syntax/i.test(l)),
    lines.join('\n'),
  );
  assert.equal(after?.status, 200, String(after?.body));
});

test('a folder emptied after a good start keeps its last good config', async () => {
  const dir = tempManifests({ 'p.yaml': PROVIDER });
  const lines: string[] = [];
  const served = await serveManifests({
    manifests: dir.dir,
    port: 0,
    metricsPort: null,
    host: '127.0.0.1',
    quiet: true,
    io: { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) },
  });
  try {
    const hash = served.proxy.ctx.config.current?.config.configHash;
    writeFileSync(join(dir.dir, 'p.yaml'), '');
    assert.equal(await served.reload(), false);
    assert.equal(served.proxy.ctx.config.current?.config.configHash, hash);
    assert.ok(
      lines.some((l) => /now defines no usable .* keeping config/.test(l)),
      lines.join('\n'),
    );
  } finally {
    await served.close();
    dir.cleanup();
  }
});
