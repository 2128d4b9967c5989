import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { routerConfig } from '../../core/config/router-config.ts';
import { hasStackTrace, switchyard, tempManifests } from './run-switchyard.ts';

const manifests = `\
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: local, namespace: ai }
spec:
  api: openai
  baseURL: http://llama.ai.svc:8080/v1
  models:
    - { name: llama, contextWindow: 8192, pricing: { inputPerMillion: 0, outputPerMillion: 0 } }
---
apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: auto, namespace: ai }
spec:
  model: auto
  tiers: [{ name: only, targets: [{ provider: local, model: llama }] }]
`;

const broken = `\
apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: orphan, namespace: ai }
spec:
  model: orphan
  tiers: [{ name: only, targets: [{ provider: nowhere, model: llama }] }]
`;

function withManifests<T>(files: Record<string, string>, body: (dir: string) => T): T {
  const { dir, cleanup } = tempManifests(files);
  try {
    return body(dir);
  } finally {
    cleanup();
  }
}

test('compile prints the RouterConfig as JSON on stdout and exits 0', () => {
  withManifests({ 'm.yaml': manifests }, (dir) => {
    const run = switchyard('compile', dir);
    assert.equal(run.status, 0, run.output);
    const config = routerConfig.parse(JSON.parse(run.stdout));
    assert.deepEqual(
      config.routes.map((r) => r.alias),
      ['auto'],
    );
    assert.match(run.stderr, /^ok: 2 objects in 1 file, config [0-9a-f]{12}$/m);
  });
});

test('compile --output yaml prints the same config as YAML', () => {
  withManifests({ 'm.yaml': manifests }, (dir) => {
    const json = switchyard('compile', dir);
    const yaml = switchyard('compile', '--output', 'yaml', dir);
    assert.equal(yaml.status, 0, yaml.output);
    assert.deepEqual(load(yaml.stdout), JSON.parse(json.stdout));
  });
});

test('compile still prints what compiles, reports the rest on stderr and exits 1', () => {
  withManifests({ 'good.yaml': manifests, 'orphan.yaml': broken }, (dir) => {
    const run = switchyard('compile', dir);
    assert.equal(run.status, 1);
    const config = routerConfig.parse(JSON.parse(run.stdout));
    assert.deepEqual(
      config.routes.map((r) => r.alias),
      ['auto'],
    );
    assert.ok(
      run.stderr.includes(
        `${join(dir, 'orphan.yaml')}:1: RoutePolicy ai/orphan: ResolvedRefs=False ProviderNotFound`,
      ),
      run.stderr,
    );
    assert.ok(!hasStackTrace(run.output));
  });
});

test('the config is identical whatever the order of files and documents', () => {
  const [provider, policy] = manifests.split('---\n');
  const a = withManifests({ 'a.yaml': manifests }, (dir) => switchyard('compile', dir).stdout);
  const b = withManifests(
    { 'a.yaml': policy!, 'b.yaml': provider! },
    (dir) => switchyard('compile', dir).stdout,
  );
  assert.equal(b, a);
});

test('an unknown --output format is a usage error with exit 2', () => {
  const run = switchyard('compile', '--output', 'toml', 'examples/');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--output must be json or yaml/);
});
