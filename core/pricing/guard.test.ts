import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeedField, FeedPrice } from '../api/price-feed.ts';
import type { FeedDocument, FeedValue } from './feed-document.ts';
import { applyApproved, guardPrices, type GuardResult } from './guard.ts';
import { INVALID } from './per-million.ts';
import type { TrackedModel } from './tracked-models.ts';

const NOW = '2026-12-01T10:00:00Z';

function doc(models: Record<string, Partial<Record<FeedField, FeedValue>>>): FeedDocument {
  return {
    skipped: 0,
    models: new Map(
      Object.entries(models).map(([id, values]) => [
        id,
        { id, values, kind: 'chat', capabilities: ['streaming'], provider: undefined },
      ]),
    ),
  };
}

const tracked = (id: string, extra: Partial<TrackedModel> = {}): TrackedModel => ({
  id,
  baselines: [{ inputPerMillion: 2.5, outputPerMillion: 10, contextWindow: 128000 }],
  followContextWindow: false,
  ...extra,
});

interface Case {
  name: string;
  prices: FeedPrice[];
  document: FeedDocument;
  tracked: TrackedModel[];
  expect: (result: GuardResult) => void;
}

const inForce: FeedPrice = { id: 'a', inputPerMillion: 2.5, outputPerMillion: 10 };

const cases: Case[] = [
  {
    name: 'a price drop within the factor is applied and recorded',
    prices: [inForce],
    document: doc({ a: { inputPerMillion: 1, outputPerMillion: 10 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.prices, [{ ...inForce, inputPerMillion: 1, updatedAt: NOW }]);
      assert.deepEqual(r.applied, [
        { id: 'a', field: 'inputPerMillion', from: 2.5, to: 1, time: NOW },
      ]);
      assert.deepEqual(r.held, []);
    },
  },
  {
    name: 'a tenfold jump is held with every other change of the same model, and nothing moves',
    prices: [inForce],
    document: doc({ a: { inputPerMillion: 2, outputPerMillion: 100 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.prices, [inForce]);
      assert.deepEqual(r.applied, []);
      assert.deepEqual(r.held, [
        { id: 'a', field: 'inputPerMillion', from: 2.5, to: 2, factor: 1.25 },
        { id: 'a', field: 'outputPerMillion', from: 10, to: 100, factor: 10 },
      ]);
    },
  },
  {
    name: 'a tenfold fall is held too: the factor works both ways',
    prices: [inForce],
    document: doc({ a: { inputPerMillion: 0.25, outputPerMillion: 10 } }),
    tracked: [tracked('a')],
    expect: (r) => assert.equal(r.held[0]?.factor, 10),
  },
  {
    name: 'a move of exactly the factor is applied',
    prices: [inForce],
    document: doc({ a: { inputPerMillion: 7.5, outputPerMillion: 10 } }),
    tracked: [tracked('a')],
    expect: (r) => assert.equal(r.prices[0]?.inputPerMillion, 7.5),
  },
  {
    name: "a model's first price is checked against its static price, so a wrong id is held",
    prices: [],
    document: doc({ a: { inputPerMillion: 30, outputPerMillion: 60 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.prices, []);
      assert.deepEqual(r.held, [
        { id: 'a', field: 'inputPerMillion', to: 30, factor: 12 },
        { id: 'a', field: 'outputPerMillion', to: 60, factor: 6 },
      ]);
    },
  },
  {
    name: 'a first price near the static one is applied',
    prices: [],
    document: doc({ a: { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 1 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.prices, [
        {
          id: 'a',
          inputPerMillion: 2,
          outputPerMillion: 8,
          cachedInputPerMillion: 1,
          updatedAt: NOW,
        },
      ]);
      assert.equal(r.applied.length, 3);
    },
  },
  {
    name: 'a zero price is refused and the price in force stays',
    prices: [inForce],
    document: doc({ a: { inputPerMillion: 0, outputPerMillion: 10 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.prices, [inForce]);
      assert.deepEqual(r.refused, [{ id: 'a', field: 'inputPerMillion', reason: 'Zero' }]);
    },
  },
  {
    name: 'a price the feed stops giving is refused as missing and stays',
    prices: [inForce],
    document: doc({ a: { outputPerMillion: 10 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.prices, [inForce]);
      assert.deepEqual(r.refused, [{ id: 'a', field: 'inputPerMillion', reason: 'Missing' }]);
    },
  },
  {
    name: 'an invalid price is refused',
    prices: [inForce],
    document: doc({ a: { inputPerMillion: INVALID, outputPerMillion: 10 } }),
    tracked: [tracked('a')],
    expect: (r) =>
      assert.deepEqual(r.refused, [{ id: 'a', field: 'inputPerMillion', reason: 'Invalid' }]),
  },
  {
    name: 'a model the feed no longer lists keeps its prices',
    prices: [inForce],
    document: doc({ other: { inputPerMillion: 1, outputPerMillion: 1 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.prices, [inForce]);
      assert.deepEqual(r.refused, [{ id: 'a', reason: 'NotListed' }]);
    },
  },
  {
    name: 'models nobody references are not kept',
    prices: [inForce, { id: 'gone', inputPerMillion: 1, outputPerMillion: 1 }],
    document: doc({ a: { inputPerMillion: 2.5, outputPerMillion: 10 } }),
    tracked: [tracked('a')],
    expect: (r) => assert.deepEqual(r.prices, [inForce]),
  },
  {
    name: 'context windows are weighed only for models that follow them',
    prices: [inForce],
    document: doc({ a: { inputPerMillion: 2.5, outputPerMillion: 10, contextWindow: 2000000 } }),
    tracked: [tracked('a')],
    expect: (r) => {
      assert.deepEqual(r.held, []);
      assert.deepEqual(r.prices, [inForce]);
    },
  },
  {
    name: 'a context window that grows sixteenfold is held for a model that follows it',
    prices: [{ ...inForce, contextWindow: 128000 }],
    document: doc({ a: { inputPerMillion: 2.5, outputPerMillion: 10, contextWindow: 2048000 } }),
    tracked: [tracked('a', { followContextWindow: true })],
    expect: (r) =>
      assert.deepEqual(r.held, [
        { id: 'a', field: 'contextWindow', from: 128000, to: 2048000, factor: 16 },
      ]),
  },
  {
    name: 'with two referencing models, a first price must be close to both static prices',
    prices: [],
    document: doc({ a: { inputPerMillion: 1, outputPerMillion: 4 } }),
    tracked: [
      tracked('a', {
        baselines: [
          { inputPerMillion: 1, outputPerMillion: 4 },
          { inputPerMillion: 5, outputPerMillion: 4 },
        ],
      }),
    ],
    expect: (r) => assert.equal(r.held[0]?.factor, 5),
  },
];

for (const c of cases) {
  test(c.name, () => {
    c.expect(
      guardPrices({
        prices: c.prices,
        document: c.document,
        tracked: c.tracked,
        maxChangeFactor: 3,
        now: NOW,
      }),
    );
  });
}

test('approved changes come into force exactly as they were held, and say they were approved', () => {
  const result = applyApproved(
    [inForce],
    [
      { id: 'a', field: 'outputPerMillion', from: 10, to: 100, factor: 10 },
      { id: 'b', field: 'inputPerMillion', to: 3 },
    ],
    NOW,
  );
  assert.deepEqual(result.prices, [
    { ...inForce, outputPerMillion: 100, updatedAt: NOW },
    { id: 'b', inputPerMillion: 3, updatedAt: NOW },
  ]);
  assert.deepEqual(result.applied, [
    { id: 'a', field: 'outputPerMillion', from: 10, to: 100, time: NOW, approved: true },
    { id: 'b', field: 'inputPerMillion', to: 3, time: NOW, approved: true },
  ]);
});
