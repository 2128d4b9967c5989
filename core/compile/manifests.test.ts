import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from './manifest-problem.ts';
import { readManifests, type ManifestDocument } from './manifests.ts';

const doc = (line: number, value: unknown): ManifestDocument => ({
  location: { file: 'm.yaml', line },
  value,
});
const provider = (name: string, namespace?: string) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: namespace === undefined ? { name } : { name, namespace },
  spec: { anything: 'compile() judges the spec' },
});

test('objects without a namespace land in default, and the spec is passed through unjudged', () => {
  const set = readManifests([doc(1, provider('openai'))]);
  assert.deepEqual(set.problems, []);
  assert.deepEqual(set.snapshot.providers, [
    {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'ModelProvider',
      metadata: { name: 'openai', namespace: 'default' },
      spec: { anything: 'compile() judges the spec' },
    },
  ]);
  assert.deepEqual(set.objects, [
    {
      kind: 'ModelProvider',
      namespace: 'default',
      name: 'openai',
      location: { file: 'm.yaml', line: 1 },
    },
  ]);
});

test('a Secret contributes key names to the snapshot and its values only to secretDocuments', () => {
  const set = readManifests([
    doc(1, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'keys', namespace: 'ai' },
      data: { b: 'dmFsdWU=' },
      stringData: { a: 'plain-value' },
    }),
  ]);
  assert.deepEqual(set.snapshot.secrets, [{ namespace: 'ai', name: 'keys', keys: ['a', 'b'] }]);
  assert.ok(!JSON.stringify(set.snapshot).includes('value'));
  assert.deepEqual(set.secretDocuments, [
    { namespace: 'ai', name: 'keys', data: { b: 'dmFsdWU=' }, stringData: { a: 'plain-value' } },
  ]);
});

test('document problems are errors with file:line, foreign kinds are notes', () => {
  const set = readManifests([
    doc(1, null),
    doc(2, ['a list']),
    doc(3, { kind: 'ModelProvider' }),
    doc(4, {
      apiVersion: 'switchyard.dev/v1alpha2',
      kind: 'ModelProvider',
      metadata: { name: 'x' },
    }),
    doc(5, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ai' },
    }),
    doc(6, provider('Bad_Name')),
    doc(7, provider('dup', 'ai')),
    doc(8, provider('dup', 'ai')),
  ]);
  assert.deepEqual(set.problems.map(formatProblem), [
    'm.yaml:2: expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found a list',
    'm.yaml:3: missing apiVersion or kind; expected ModelProvider, RoutePolicy or PriceFeed in switchyard.dev/v1alpha1',
    'm.yaml:4: unknown kind "ModelProvider" (apiVersion switchyard.dev/v1alpha2); expected ModelProvider, RoutePolicy or PriceFeed in switchyard.dev/v1alpha1 (hint: did you mean kind: ModelProvider?)',
    'm.yaml:5: note: skipped Deployment ai/web (apps/v1): not a Switchyard kind',
    'm.yaml:6: ModelProvider default/Bad_Name: metadata.name: Invalid string: must match pattern /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/ (hint: a Kubernetes name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)',
    'm.yaml:8: ModelProvider ai/dup: defined twice (first at line 7); the API server would keep only one, so remove or rename one',
  ]);
  assert.deepEqual(
    set.snapshot.providers.map((p) => p.metadata.name),
    ['dup'],
  );
});
