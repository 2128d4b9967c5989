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
  assert.match(run.stderr, /--output must be json, yaml or prices/);
});

const withFeed = `\
apiVersion: switchyard.dev/v1alpha1
kind: PriceFeed
metadata: { name: openrouter, namespace: ai }
spec: { url: 'https://openrouter.ai/api/v1/models', format: openrouter }
status:
  prices: [{ id: openai/gpt-4o, inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 1 }]
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: openrouter, namespace: ai }
spec:
  api: openai
  baseURL: https://openrouter.ai/api/v1
  models:
    - name: gpt-4o
      contextWindow: 128000
      pricing: { inputPerMillion: 2.5, outputPerMillion: 10, feedRef: { name: openrouter, id: openai/gpt-4o } }
    - name: gpt-4.1
      contextWindow: 1000000
      pricing: { inputPerMillion: 2, outputPerMillion: 8, feedRef: { name: openrouter, id: openai/gpt-4.1 } }
    - { name: mini, contextWindow: 128000, pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 } }
`;

test('compile --output prices shows each price in force and where it comes from', () => {
  withManifests({ 'm.yaml': withFeed }, (dir) => {
    const run = switchyard('compile', '--output', 'prices', dir);
    assert.equal(run.status, 0, run.output);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^MODEL\s+INPUT\/M\s+OUTPUT\/M\s+CACHED\/M\s+CONTEXT\s+SOURCE$/);
    assert.match(
      run.stdout,
      /^openrouter\/gpt-4o\s+2\s+8\s+1\s+128000\s+PriceFeed openrouter \(openai\/gpt-4o\)$/m,
    );
    assert.match(
      run.stdout,
      /^openrouter\/gpt-4\.1\s+2\s+8\s+2\s+1000000\s+spec \(PriceFeed openrouter has no price in force for "openai\/gpt-4\.1" yet \(see its status\)\)$/m,
    );
    assert.match(run.stdout, /^openrouter\/mini\s+0\.15\s+0\.6\s+0\.15\s+128000\s+spec$/m);
  });
});

test('compile takes a feed price from a PriceFeed status in the manifests, and validate checks its spec', () => {
  withManifests({ 'm.yaml': withFeed }, (dir) => {
    const config = routerConfig.parse(JSON.parse(switchyard('compile', dir).stdout));
    const gpt = config.providers[0]?.models.find((m) => m.name === 'gpt-4o');
    assert.equal(gpt?.pricing.inputPerMillion, 2);
  });
  const badFeed = withFeed.replace('format: openrouter', 'format: openrouter, maxChangeFactor: 1');
  withManifests({ 'm.yaml': badFeed }, (dir) => {
    const run = switchyard('validate', dir);
    assert.equal(run.status, 1, run.output);
    assert.match(
      run.stdout,
      /PriceFeed ai\/openrouter: spec\.maxChangeFactor: Too small: expected number to be >1/,
    );
  });
});
