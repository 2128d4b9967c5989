import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ObjectStatus } from '../../core/compile/status.ts';
import { desiredStatus, kubeTime, statusHolds } from './desired-status.ts';

const computed = (status: 'True' | 'False', message = 'ok', generation = 3): ObjectStatus => ({
  kind: 'RoutePolicy',
  namespace: 'default',
  name: 'auto',
  observedGeneration: generation,
  conditions: [
    { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'fine' },
    {
      type: 'ResolvedRefs',
      status,
      reason: status === 'True' ? 'ResolvedRefs' : 'ProviderNotFound',
      message,
    },
  ],
});

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-02T00:00:00Z';

test('a new status stamps every condition with now and the generation', () => {
  const status = desiredStatus(computed('True'), undefined, T1);
  assert.equal(status.observedGeneration, 3);
  assert.deepEqual(
    status.conditions.map((c) => [c.type, c.lastTransitionTime, c.observedGeneration]),
    [
      ['Accepted', T1, 3],
      ['ResolvedRefs', T1, 3],
    ],
  );
});

test('lastTransitionTime survives a message change but moves when the status flips', () => {
  const first = desiredStatus(computed('True', 'one'), undefined, T1);
  const reworded = desiredStatus(computed('True', 'two'), first, T2);
  assert.equal(reworded.conditions[1]?.lastTransitionTime, T1);
  assert.equal(reworded.conditions[1]?.message, 'two');
  const flipped = desiredStatus(computed('False', 'gone'), reworded, T2);
  assert.equal(flipped.conditions[1]?.lastTransitionTime, T2);
  assert.equal(flipped.conditions[0]?.lastTransitionTime, T1);
});

test('an unchanged reconcile holds: nothing to write', () => {
  const stored = desiredStatus(computed('True'), undefined, T1);
  assert.equal(statusHolds(stored, desiredStatus(computed('True'), stored, T2)), true);
});

test('a new generation, message or model count does not hold', () => {
  const stored = desiredStatus(computed('True'), undefined, T1);
  assert.equal(statusHolds(stored, desiredStatus(computed('True', 'ok', 4), stored, T2)), false);
  assert.equal(statusHolds(stored, desiredStatus(computed('True', 'new'), stored, T2)), false);
  const withCount = desiredStatus({ ...computed('True'), modelCount: 2 }, stored, T2);
  assert.equal(statusHolds(stored, withCount), false);
  assert.equal(statusHolds(undefined, stored), false);
});

test('a price in force that moved does not hold: status.models is written again', () => {
  const model = {
    name: 'gpt-4o',
    source: 'PriceFeed' as const,
    feed: 'openrouter',
    feedModel: 'openai/gpt-4o',
    pricing: {
      inputPerMillion: 2.5,
      outputPerMillion: 10,
      cachedInputPerMillion: 1.25,
      cacheWritePerMillion: 2.5,
      reasoningPerMillion: 10,
    },
    contextWindow: 128000,
    maxOutputTokens: 16384,
    message: 'from the feed',
  };
  const stored = desiredStatus({ ...computed('True'), models: [model] }, undefined, T1);
  const same = desiredStatus({ ...computed('True'), models: [model] }, stored, T2);
  assert.equal(statusHolds(stored, same), true);
  const cheaper = { ...model, pricing: { ...model.pricing, inputPerMillion: 2 } };
  const moved = desiredStatus({ ...computed('True'), models: [cheaper] }, stored, T2);
  assert.equal(statusHolds(stored, moved), false);
  assert.equal(statusHolds(stored, desiredStatus(computed('True'), stored, T2)), false);
});

test('kubeTime writes metav1.Time: whole seconds in UTC', () => {
  assert.equal(kubeTime(new Date('2026-03-04T05:06:07.891Z')), '2026-03-04T05:06:07Z');
});
