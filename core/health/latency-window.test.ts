import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyWindow } from './latency-window.ts';

test('quantiles of a small window follow every new sample', () => {
  const w = new LatencyWindow();
  assert.equal(w.quantile(0.5), undefined);
  for (const ms of [10, 30, 20]) w.record(ms);
  assert.equal(w.quantile(0.5), 20);
  w.record(1000);
  assert.equal(w.quantile(0.95), 1000);
});

test('a full window keeps only the last samples, and its quantiles lag by at most 16 samples', () => {
  const w = new LatencyWindow(64);
  for (let i = 0; i < 64; i++) w.record(5);
  assert.equal(w.quantile(0.95), 5);
  for (let i = 0; i < 15; i++) w.record(500);
  assert.equal(w.quantile(0.95), 5, 'not re-sorted yet');
  w.record(500);
  assert.equal(w.quantile(0.95), 500);
  for (let i = 0; i < 64; i++) w.record(7);
  assert.equal(w.quantile(0.5), 7, 'old samples are gone');
  assert.equal(w.count, 64);
});
