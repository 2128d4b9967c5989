import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from './compile.ts';
import type { RawObject, Snapshot } from './snapshot.ts';

const provider = (name: string): RawObject => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: { name, namespace: 'ai', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    api: 'openai',
    baseURL: `http://${name}.test/v1`,
    models: [
      { name: 'm', contextWindow: 8000, pricing: { inputPerMillion: 1, outputPerMillion: 2 } },
    ],
  },
});
const policy = (
  name: string,
  spec: Record<string, unknown>,
  created = '2026-01-01T00:00:00Z',
): RawObject => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'RoutePolicy',
  metadata: { name, namespace: 'ai', generation: 2, creationTimestamp: created },
  spec,
});
const good = {
  model: 'auto',
  tiers: [
    {
      name: 'only',
      targets: [
        { provider: 'a', model: 'm' },
        { provider: 'b', model: 'm' },
      ],
    },
  ],
  classification: { rules: [{ name: 'r', tier: 'only', match: { patterns: ['ok'] } }] },
};
const broken = {
  ...good,
  classification: { rules: [{ name: 'r', tier: 'only', match: { patterns: ['(unclosed'] } }] },
};
const snapshot = (providers: RawObject[], policies: RawObject[]): Snapshot => ({
  providers,
  policies,
  secrets: [],
});
const conditionOf = (result: ReturnType<typeof compile>, name: string, type: string) =>
  result.statuses.find((s) => s.name === name)?.conditions.find((c) => c.type === type);

test('a policy broken by its own edit keeps serving its last accepted version, and says so', () => {
  const before = compile(snapshot([provider('a'), provider('b')], [policy('auto', good)]));
  const after = compile(
    snapshot([provider('a'), provider('b')], [policy('auto', broken)]),
    before.config,
  );
  assert.deepEqual(after.config.routes, before.config.routes);
  assert.equal(after.config.configHash, before.config.configHash);
  assert.equal(conditionOf(after, 'auto', 'Accepted')?.reason, 'InvalidPattern');
  assert.deepEqual(
    {
      status: conditionOf(after, 'auto', 'Programmed')?.status,
      reason: conditionOf(after, 'auto', 'Programmed')?.reason,
    },
    { status: 'True', reason: 'LastKnownGood' },
  );
  const fixed = compile(
    snapshot([provider('a'), provider('b')], [policy('auto', good)]),
    after.config,
  );
  assert.equal(conditionOf(fixed, 'auto', 'Programmed')?.reason, 'Programmed');
});

test('the kept version loses the targets whose provider is gone, and is dropped when none is left', () => {
  const before = compile(snapshot([provider('a'), provider('b')], [policy('auto', good)]));
  const oneLeft = compile(snapshot([provider('a')], [policy('auto', broken)]), before.config);
  assert.deepEqual(
    oneLeft.config.routes[0]?.tiers[0]?.targets.map((t) => t.provider),
    ['a'],
  );
  const noneLeft = compile(snapshot([], [policy('auto', broken)]), before.config);
  assert.equal(noneLeft.config.routes.length, 0);
  assert.equal(conditionOf(noneLeft, 'auto', 'Programmed')?.status, 'False');
});

test('an alias lost to an older policy is not kept, and without a previous config nothing is', () => {
  const before = compile(
    snapshot([provider('a'), provider('b')], [policy('newer', good, '2026-02-01T00:00:00Z')]),
  );
  const after = compile(
    snapshot(
      [provider('a'), provider('b')],
      [policy('newer', good, '2026-02-01T00:00:00Z'), policy('older', good)],
    ),
    before.config,
  );
  assert.equal(conditionOf(after, 'newer', 'Accepted')?.reason, 'Conflicted');
  assert.equal(after.config.routes.length, 1);
  assert.equal(after.config.routes[0]?.policy, 'older');
  assert.equal(
    compile(snapshot([provider('a')], [policy('auto', broken)])).config.routes.length,
    0,
  );
});
