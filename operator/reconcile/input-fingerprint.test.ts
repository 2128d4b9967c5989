import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot } from '../../core/compile/snapshot.ts';
import { inputFingerprint } from './input-fingerprint.ts';

const snapshot = (generation: number, keys: string[]): Snapshot => ({
  providers: [{ metadata: { name: 'p', namespace: 'a', uid: 'u1', generation }, spec: {} }],
  policies: [{ metadata: { name: 'r', namespace: 'a', uid: 'u2', generation: 1 }, spec: {} }],
  secrets: [{ namespace: 'a', name: 's', keys }],
});

test('the fingerprint ignores order and changes with a generation or a key name', () => {
  const base = inputFingerprint(snapshot(1, ['x', 'y']));
  assert.equal(inputFingerprint(snapshot(1, ['y', 'x'])), base);
  assert.notEqual(inputFingerprint(snapshot(2, ['x', 'y'])), base);
  assert.notEqual(inputFingerprint(snapshot(1, ['x'])), base);
  const reordered = snapshot(1, ['x', 'y']);
  reordered.providers.reverse();
  reordered.policies.reverse();
  assert.equal(inputFingerprint(reordered), base);
});
