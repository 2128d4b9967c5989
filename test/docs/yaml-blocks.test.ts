// Docs are tests: every YAML block of README.md and docs/**/*.md is a manifest that works.
// - Full manifests go through what `switchyard validate` runs (schema, CEL rules, compile()'s
//   checks across objects, with the files a `# validate-with:` marker names), and each Switchyard
//   object gets the same verdict and defaults from the CRD (emulated API server).
// - A `# snippet: Kind.spec.field` block is completed into the smallest object around it and
//   judged by zod and the CRD alike.
// - `# values: charts/…` blocks are rendered by helm in values-blocks.test.ts; the real API server
//   sees every manifest in api-server.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadAll } from 'js-yaml';
import { checkManifests } from '../../cli/check-manifests.ts';
import { formatProblem } from '../../core/compile/manifest-problem.ts';
import { judgeWithCrd, judgeWithZod, kindOf, type Kind } from '../crd/verdicts.ts';
import { repoRoot } from '../harness/tools.ts';
import { completeSnippet } from './complete-snippet.ts';
import { blocksOf, docFiles, isYaml, roleOf, where, type DocBlock } from './doc-blocks.ts';

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-docs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function assertSameVerdict(kind: Kind, doc: unknown, label: string): void {
  const zod = judgeWithZod(kind, doc);
  const crd = judgeWithCrd(kind, doc);
  assert.ok(zod.valid, `${label}: switchyard validate rejects it: ${zod.errors.join('; ')}`);
  assert.ok(crd.valid, `${label}: the API server would reject it: ${crd.errors.join('; ')}`);
  assert.deepEqual(crd.stored, zod.output, `${label}: zod and the CRD fill in different defaults`);
}

function documentsOf(block: DocBlock): Record<string, unknown>[] {
  return loadAll(block.text).filter(
    (doc): doc is Record<string, unknown> => doc !== null && doc !== undefined,
  );
}

async function checkFullManifests(block: DocBlock, withFiles: string[]): Promise<void> {
  const docs = documentsOf(block);
  assert.ok(docs.length > 0, `${where(block)}: an empty YAML block`);
  for (const [index, doc] of docs.entries()) {
    assert.ok(
      typeof doc.apiVersion === 'string' && typeof doc.kind === 'string',
      `${where(block)}: document ${index + 1} is not a whole object (no apiVersion and kind); if it is deliberately partial, start the block with a marker such as "# snippet: RoutePolicy.spec.failover"`,
    );
    const kind = kindOf(doc);
    if (kind) assertSameVerdict(kind, doc, `${where(block)} document ${index + 1}`);
  }
  const file = join(scratch, `${block.file.replaceAll('/', '_')}-${block.line}.yaml`);
  writeFileSync(file, block.text);
  const check = await checkManifests([file, ...withFiles.map((f) => join(repoRoot, f))]);
  // Problems in the block point at the line of the Markdown file.
  const errors = check.problems
    .filter((problem) => problem.severity === 'error')
    .map((problem) => {
      const { location } = problem;
      if (location.file !== file) return formatProblem(problem);
      const line = block.line + location.line;
      return formatProblem({ ...problem, location: { file: block.file, line } });
    });
  assert.deepEqual(errors, [], `switchyard validate reports problems for ${where(block)}`);
}

function checkSnippet(block: DocBlock, kind: Kind, path: string): void {
  const docs = documentsOf(block);
  assert.equal(docs.length, 1, `${where(block)}: a snippet is one YAML document`);
  assertSameVerdict(
    kind,
    completeSnippet(kind, path, docs[0]),
    `${where(block)} (${kind}.${path})`,
  );
}

const blocks = docFiles().flatMap(blocksOf);
const yamlBlocks = blocks.filter(isYaml);

describe('YAML in the docs', () => {
  test('there are YAML blocks to check, the README example among them', () => {
    assert.ok(yamlBlocks.length >= 5, `only ${yamlBlocks.length} YAML blocks`);
    assert.ok(yamlBlocks.some((block) => block.file === 'README.md'));
  });

  for (const block of yamlBlocks) {
    const role = roleOf(block);
    if (role.role === 'values') continue; // rendered by helm: values-blocks.test.ts
    const what = role.role === 'snippet' ? `a ${role.kind}.${role.path} snippet` : 'manifests';
    test(`${where(block)} (${what}) is valid`, async () => {
      if (role.role === 'snippet') checkSnippet(block, role.kind as Kind, role.path);
      else await checkFullManifests(block, role.with);
    });
  }

  test('no manifest hides in a block that is not tagged yaml', () => {
    const untagged = blocks.filter(
      (block) => !isYaml(block) && /^(apiVersion|kind):\s|^spec:\s*$/m.test(block.text),
    );
    assert.deepEqual(untagged.map(where), [], 'tag these fences ```yaml so they are checked');
  });
});
