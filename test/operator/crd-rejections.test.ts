// Every CRD bad-manifest fixture, applied with kubectl to a real kube-apiserver: the schema and
// the CEL rules really run, and kubectl prints the message the fixture promises
// (`# expect-apiserver:` when the API server words it differently from zod, else `# expect:`).
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ControlPlane } from '../harness/control-plane.ts';
import { startControlPlane } from '../harness/control-plane.ts';
import { repoRoot } from '../harness/tools.ts';
import { crdPaths } from './operator-cluster.ts';

const FIXTURES = globSync(join(repoRoot, 'test/fixtures/bad-manifests/crd-*.yaml')).sort();

/** The message a fixture expects from the API server. */
function expectedMessage(text: string): string | undefined {
  const line = (prefix: string): string | undefined =>
    new RegExp(`^# ${prefix}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  return line('expect-apiserver') ?? line('expect');
}

describe('CRD validation on a real API server', () => {
  let cp: ControlPlane;

  before(async () => {
    cp = await startControlPlane({ crds: crdPaths() });
  });

  after(async () => {
    await cp?.stop();
  });

  test('there are CRD fixtures to check', () => {
    assert.ok(FIXTURES.length >= 20, `only ${FIXTURES.length} crd-*.yaml fixtures`);
  });

  for (const file of FIXTURES) {
    test(`${basename(file, '.yaml')} is rejected by kubectl apply`, async () => {
      const text = readFileSync(file, 'utf8');
      const expected = expectedMessage(text);
      assert.ok(expected, `${basename(file)} states no "# expect:" line`);
      const result = await cp.kubectl(['apply', '-n', 'default', '-f', file]);
      const output = `${result.stdout}${result.stderr}`;
      assert.notEqual(result.code, 0, `accepted:\n${output}`);
      assert.ok(
        output.includes(expected),
        `kubectl's output does not contain ${JSON.stringify(expected)}:\n${output}`,
      );
    });
  }
});
