// Docs are tests, on a real API server: every manifest of README.md and docs/**/*.md — full
// blocks as written, snippets completed into their object — passes `kubectl apply
// --dry-run=server`, which runs the CRDs' schema and CEL rules for real.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dump, loadAll } from 'js-yaml';
import type { Kind } from '../crd/verdicts.ts';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { crdPaths } from '../operator/operator-cluster.ts';
import { completeSnippet } from './complete-snippet.ts';
import { blocksOf, docFiles, isYaml, roleOf, where } from './doc-blocks.ts';

/** The YAML kubectl should apply for a block, or undefined for values files. */
function manifestOf(text: string, role: ReturnType<typeof roleOf>): string | undefined {
  if (role.role === 'values') return undefined;
  if (role.role === 'manifests') return text;
  const [value] = loadAll(text);
  return dump(completeSnippet(role.kind as Kind, role.path, value));
}

describe('manifests in the docs on a real API server', () => {
  let cp: ControlPlane;
  const cases = docFiles()
    .flatMap(blocksOf)
    .filter(isYaml)
    .flatMap((block) => {
      const yaml = manifestOf(block.text, roleOf(block));
      return yaml === undefined ? [] : [{ block, yaml }];
    });

  before(async () => {
    cp = await startControlPlane({ crds: crdPaths() });
  });

  after(async () => {
    await cp?.stop();
  });

  for (const { block, yaml } of cases) {
    test(`${where(block)} is accepted by kubectl apply --dry-run=server`, async () => {
      const result = await cp.kubectl(['apply', '--dry-run=server', '-n', 'default', '-f', '-'], {
        input: yaml,
      });
      assert.equal(result.code, 0, `${where(block)}:\n${result.stderr}${result.stdout}`);
    });
  }
});
