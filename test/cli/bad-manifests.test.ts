// Every bad manifest in test/fixtures/bad-manifests must make `switchyard validate` fail with the
// expected message: crd-* fixtures (schema rules, shared with the CRD tests against the API
// server) and compile-* fixtures (cross-object rejections only compile() can see).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasStackTrace, repoRoot, switchyardAsync } from './run-switchyard.ts';

const dir = join(repoRoot, 'test/fixtures/bad-manifests');
const fixtures = readdirSync(dir)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

/** `# expect-zod:` when present (zod and the API server word some errors differently), else `# expect:`. */
function expectedMessage(text: string): string | undefined {
  const header = (name: string) => new RegExp(`^# ${name}:\\s*(.+?)\\s*$`, 'm').exec(text)?.[1];
  return header('expect-zod') ?? header('expect');
}

test('there is a compile-* fixture for every cross-object rejection', () => {
  const compileFixtures = fixtures.filter((file) => file.startsWith('compile-'));
  assert.ok(compileFixtures.length >= 11, `only ${compileFixtures.length} compile-* fixtures`);
});

// Each run is a fresh Node process; running them side by side keeps the suite quick.
describe('bad manifests', { concurrency: 8 }, () => {
  for (const file of fixtures) {
    test(`validate rejects ${file} with its expected message`, async () => {
      const path = join(dir, file);
      const expected = expectedMessage(readFileSync(path, 'utf8'));
      assert.ok(expected !== undefined, `${file} has no "# expect:" or "# expect-zod:" line`);
      const run = await switchyardAsync('validate', path);
      assert.equal(run.status, 1, run.output);
      assert.ok(run.output.includes(expected), `expected "${expected}" in:\n${run.output}`);
      assert.ok(!hasStackTrace(run.output), run.output);
    });
  }
});
