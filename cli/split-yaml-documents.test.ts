import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText } from './parse-manifest-text.ts';
import { splitYamlDocuments } from './split-yaml-documents.ts';

test('documents split at --- lines and remember where their content starts', () => {
  const chunks = splitYamlDocuments(
    '# header\na: 1\n---\n\n# comment\nb: 2\n--- # trailing comment\nc: 3\n',
  );
  assert.deepEqual(
    chunks.map((c) => [c.firstLine, c.contentLine]),
    [
      [1, 2],
      [4, 6],
      [8, 8],
    ],
  );
});

test('a --- inside a line or followed by content does not split, as in kubectl', () => {
  const chunks = splitYamlDocuments('a: "x --- y"\n---- b\n');
  assert.equal(chunks.length, 1);
});

test('an empty trailing document and CRLF line ends are handled', () => {
  const chunks = splitYamlDocuments('a: 1\r\n---\r\n');
  assert.deepEqual(
    chunks.map((c) => c.contentLine),
    [1, undefined],
  );
});

test('a syntax error drops only its own document and points at its line and column', () => {
  const parsed = parseManifestText('f.yaml', 'a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n');
  assert.deepEqual(
    parsed.documents.map((d) => [d.location.line, d.value]),
    [
      [1, { a: 1 }],
      [6, { d: 4 }],
    ],
  );
  assert.equal(parsed.problems.length, 1);
  assert.equal(parsed.problems[0]?.location.file, 'f.yaml');
  assert.ok((parsed.problems[0]?.location.line ?? 0) >= 3);
  assert.match(parsed.problems[0]?.message ?? '', /^YAML syntax error: /);
});
