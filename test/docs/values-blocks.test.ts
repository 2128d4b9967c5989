// Docs are tests, for Helm values: every `# values: charts/…` block in README.md and docs/**/*.md
// renders with the real helm (values.schema.json and the templates' own checks included).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { helm } from '../chart/chart-fixture.ts';
import { repoRoot } from '../harness/tools.ts';
import { blocksOf, docFiles, isYaml, roleOf, where } from './doc-blocks.ts';

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-docs-values-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('Helm values in the docs', () => {
  const blocks = docFiles()
    .flatMap(blocksOf)
    .filter(isYaml)
    .flatMap((block) => {
      const role = roleOf(block);
      return role.role === 'values' ? [{ block, chart: role.chart }] : [];
    });

  test('there is a values block to check', () => {
    assert.ok(blocks.length >= 1);
  });

  for (const { block, chart } of blocks) {
    test(`${where(block)} renders ${chart} with helm template`, async () => {
      const file = join(scratch, `${block.line}.yaml`);
      writeFileSync(file, block.text);
      const result = await helm([
        'template',
        'switchyard',
        join(repoRoot, chart),
        '-n',
        'ai',
        '-f',
        file,
      ]);
      assert.equal(result.code, 0, `${where(block)}:\n${result.stderr}`);
    });
  }
});
