import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapSpaceStatistics } from 'node:v8';
import { testConfig } from '../../core/routing/fixtures.test-support.ts';
import { ConfigStore } from '../config/config-store.ts';
import { compactAfterFirstConfig, compactHeap } from './compact-heap.ts';

const newSpaceBytes = (): number =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? NaN;

test('compactHeap shrinks the young generation and leaves no gc() on the global', () => {
  // Garbage that survives a scavenge or two grows the young generation, as a startup does.
  let keep: object[] = [];
  for (let i = 0; i < 300_000; i++) {
    keep.push({ i, s: `x${i}` });
    if (keep.length > 100_000) keep = keep.slice(50_000);
  }
  assert.ok(keep.length > 0);
  const before = newSpaceBytes();
  const pauseMs = compactHeap();
  assert.ok(pauseMs >= 0);
  assert.ok(newSpaceBytes() < before, `new space ${newSpaceBytes()} < ${before} bytes`);
  assert.ok(newSpaceBytes() <= 1024 * 1024, `new space ${newSpaceBytes()} bytes`);
  assert.equal((globalThis as { gc?: unknown }).gc, undefined);
});

test('compactAfterFirstConfig compacts once, in the turn after the first config loads', async () => {
  const store = new ConfigStore();
  const pauses: number[] = [];
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  compactAfterFirstConfig(store, (ms) => pauses.push(ms));
  await nextTurn();
  assert.equal(pauses.length, 0, 'nothing before a config');
  assert.ok(store.swap(testConfig()).ok);
  assert.equal(pauses.length, 0, 'not inside the swap');
  await nextTurn();
  assert.equal(pauses.length, 1);
  assert.deepEqual(store.swap({ ...testConfig(), configHash: '1'.repeat(64) }), {
    ok: true,
    changed: true,
    hash: '1'.repeat(64),
  });
  await nextTurn();
  assert.equal(pauses.length, 1, 'later configs do not compact again');
  compactAfterFirstConfig(store, (ms) => pauses.push(ms));
  await nextTurn();
  assert.equal(pauses.length, 2, 'a store that is already ready compacts right away');
});
