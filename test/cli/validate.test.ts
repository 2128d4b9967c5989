import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hasStackTrace, switchyard, tempManifests } from './run-switchyard.ts';

const provider = (pricing = '{ inputPerMillion: 0.15, outputPerMillion: 0.6 }', extra = '') => `\
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: openai, namespace: ai }
spec:
  api: openai
  models:
    - name: gpt-4o-mini
      contextWindow: 128000
      pricing: ${pricing}
${extra}`;

/** Validates one file and returns its problem lines (summary line excluded). */
function validateOne(text: string) {
  const { dir, cleanup } = tempManifests({ 'manifests.yaml': text });
  try {
    const file = join(dir, 'manifests.yaml');
    const run = switchyard('validate', file);
    const lines = run.stdout.trimEnd().split('\n');
    return { run, file, problems: lines.slice(0, -1), summary: lines.at(-1) ?? '' };
  } finally {
    cleanup();
  }
}

test('malformed YAML gives one line with file, line and column', () => {
  const { run, file, problems } = validateOne(`${provider()}---\nkind: [unclosed\n`);
  assert.equal(run.status, 1);
  assert.equal(problems.length, 1, run.output);
  assert.match(problems[0]!, new RegExp(`^${escape(file)}:1[12]:\\d+: YAML syntax error: `));
  assert.ok(!hasStackTrace(run.output));
});

test('an unknown kind gives one line naming it and the kinds expected', () => {
  const { run, file, problems } = validateOne(
    'apiVersion: switchyard.dev/v1alpha1\nkind: RouteTable\nmetadata: { name: x }\n',
  );
  assert.equal(run.status, 1);
  assert.deepEqual(problems, [
    `${file}:1: unknown kind "RouteTable" (apiVersion switchyard.dev/v1alpha1); expected ModelProvider, RoutePolicy or PriceFeed in switchyard.dev/v1alpha1`,
  ]);
});

test('our kind under another version is an unknown kind, with a hint when the kind is misspelt', () => {
  const { run, problems } = validateOne(
    '---\n# a comment\napiVersion: switchyard.dev/v1\nkind: ModelProvder\nmetadata: { name: x }\n',
  );
  assert.equal(run.status, 1);
  assert.equal(problems.length, 1);
  assert.match(
    problems[0]!,
    /:3: unknown kind "ModelProvder" \(apiVersion switchyard\.dev\/v1\).*\(hint: did you mean kind: ModelProvider\?\)$/,
  );
});

test('an unknown field gives one line with the object, the path and the valid fields', () => {
  const { run, file, problems } = validateOne(provider(undefined, '      capabilitys: [tools]\n'));
  assert.equal(run.status, 1);
  assert.equal(problems.length, 1, run.output);
  assert.ok(
    problems[0]!.startsWith(
      `${file}:1: ModelProvider ai/openai: spec.models[0]: Unrecognized key: "capabilitys"`,
    ),
    problems[0]!,
  );
  assert.match(problems[0]!, /did you mean "capabilities"\?/);
});

test('a wrong type gives one line with the field path and a hint', () => {
  const { run, file, problems } = validateOne(
    provider('{ inputPerMillion: "0.15", outputPerMillion: 0.6 }'),
  );
  assert.equal(run.status, 1);
  assert.equal(problems.length, 1, run.output);
  assert.ok(
    problems[0]!.startsWith(
      `${file}:1: ModelProvider ai/openai: spec.models[0].pricing.inputPerMillion: Invalid input: expected number, received string (hint: write the number without quotes`,
    ),
    problems[0]!,
  );
});

test('valid manifests exit 0 with a summary that quotes the config hash', () => {
  const { run, problems, summary } = validateOne(provider());
  assert.equal(run.status, 0, run.output);
  assert.deepEqual(problems, []);
  assert.match(summary, /^ok: 1 object in 1 file, config [0-9a-f]{12}$/);
});

test('other Kubernetes kinds are skipped with a note and do not fail validation', () => {
  const { run, problems } = validateOne(
    `apiVersion: v1\nkind: Namespace\nmetadata: { name: ai }\n---\n${provider()}`,
  );
  assert.equal(run.status, 0, run.output);
  assert.deepEqual(problems, [
    `${problems[0]!.split(':')[0]}:1: note: skipped Namespace ai (v1): not a Switchyard kind`,
  ]);
});

test('a Secret value never appears in the output, even when the Secret is malformed', () => {
  const value = 'sk-cli-test-secret-value-1234567890';
  const { run } = validateOne(
    `${provider()}  auth: { secretRef: { name: openai, key: token } }\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: openai, namespace: ai }\nstringData: { apiKey: ${value} }\ndata: { bad: "${value}!" }\n`,
  );
  assert.equal(run.status, 1);
  assert.ok(!run.output.includes(value), run.output);
  assert.match(run.output, /data\.bad: not valid base64/);
});

test('a path that does not exist is one line and exit 1', () => {
  const run = switchyard('validate', 'no/such/folder');
  assert.equal(run.status, 1);
  assert.match(run.stdout, /^no\/such\/folder: cannot read: no such file or directory$/m);
  assert.ok(!hasStackTrace(run.output));
});

test('folders are searched recursively and every file is reported by its own path', () => {
  const { dir, cleanup } = tempManifests({ 'a.yaml': provider(), 'notes.txt': 'not yaml: [' });
  try {
    const run = switchyard('validate', dir);
    assert.equal(run.status, 0, run.output);
    assert.match(run.stdout, /^ok: 1 object in 1 file/m);
  } finally {
    cleanup();
  }
});

test('the examples folder validates cleanly', () => {
  const run = switchyard('validate', 'examples/');
  assert.equal(run.status, 0, run.output);
  assert.ok(!hasStackTrace(run.output));
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
