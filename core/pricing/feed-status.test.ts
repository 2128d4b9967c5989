import assert from 'node:assert/strict';
import { test } from 'node:test';
import { priceFeedSpec, priceFeedStatus, type PriceFeedStatus } from '../api/price-feed.ts';
import type { FeedDocument } from './feed-document.ts';
import {
  APPLIED_HISTORY,
  nextFeedStatus,
  type FeedSyncInput,
  type SyncOutcome,
} from './feed-status.ts';
import type { TrackedModel } from './tracked-models.ts';

const spec = priceFeedSpec.parse({
  url: 'https://openrouter.ai/api/v1/models',
  format: 'openrouter',
});
const tracked: TrackedModel[] = [
  { id: 'a', baselines: [{ inputPerMillion: 2, outputPerMillion: 8 }], followContextWindow: false },
];

function document(input: number, output: number): FeedDocument {
  return {
    skipped: 0,
    models: new Map([
      [
        'a',
        {
          id: 'a',
          values: { inputPerMillion: input, outputPerMillion: output },
          kind: 'chat',
          capabilities: ['streaming'],
          provider: undefined,
        },
      ],
    ]),
  };
}

const fetched = (input: number, output: number): SyncOutcome => ({
  kind: 'fetched',
  document: document(input, output),
  notModified: false,
});

function step(
  previous: PriceFeedStatus | undefined,
  outcome: SyncOutcome,
  now: string,
  extra: Partial<FeedSyncInput> = {},
) {
  const result = nextFeedStatus({
    namespace: 'ai',
    name: 'openrouter',
    generation: 1,
    spec,
    approval: undefined,
    previous,
    outcome,
    tracked,
    now,
    nextSyncTime: undefined,
    ...extra,
  });
  // What the operator writes must pass the CRD's own schema.
  priceFeedStatus.parse(result.status);
  return result;
}

const condition = (status: PriceFeedStatus, type: string) =>
  status.conditions?.find((c) => c.type === type);

test('a first sync applies prices near the static ones and says so in both conditions', () => {
  const { status, applied } = step(undefined, fetched(2.5, 10), 't1');
  assert.deepEqual(status.prices, [
    { id: 'a', inputPerMillion: 2.5, outputPerMillion: 10, updatedAt: 't1' },
  ]);
  assert.equal(applied.length, 2);
  assert.equal(status.lastSyncTime, 't1');
  assert.equal(status.modelCount, 1);
  assert.equal(condition(status, 'Synced')?.status, 'True');
  assert.deepEqual(
    [condition(status, 'PricesApplied')?.status, condition(status, 'PricesApplied')?.reason],
    ['True', 'Applied'],
  );
});

test('a held change keeps its digest while the feed repeats it, and the annotation applies exactly it', () => {
  const first = step(undefined, fetched(2.5, 10), 't1').status;
  const held = step(first, fetched(2.5, 100), 't2');
  const digest = held.status.heldChangesDigest;
  assert.ok(digest);
  assert.equal(held.newlyHeld.length, 1);
  const message = condition(held.status, 'PricesApplied')?.message ?? '';
  assert.match(
    message,
    new RegExp(
      `kubectl annotate pricefeed openrouter -n ai switchyard.dev/approve-prices=${digest} --overwrite`,
    ),
  );
  assert.equal(held.status.prices?.[0]?.outputPerMillion, 10, 'the price in force stays');

  const again = step(held.status, fetched(2.5, 100), 't3');
  assert.equal(again.status.heldChangesDigest, digest);
  assert.equal(again.status.heldSince, 't2');
  assert.deepEqual(again.newlyHeld, [], 'no second PriceChangeHeld for the same change');

  const approved = step(again.status, fetched(2.5, 100), 't4', { approval: digest });
  assert.equal(approved.status.prices?.[0]?.outputPerMillion, 100);
  assert.deepEqual(approved.status.heldChanges, []);
  assert.equal(approved.status.heldChangesDigest, undefined);
  assert.deepEqual(approved.applied, [
    { id: 'a', field: 'outputPerMillion', from: 10, to: 100, time: 't4', approved: true },
  ]);
  assert.equal(condition(approved.status, 'PricesApplied')?.status, 'True');
});

test('an approval works while the feed is down: it applies what was shown', () => {
  const first = step(undefined, fetched(2.5, 10), 't1').status;
  const held = step(first, fetched(2.5, 100), 't2').status;
  const down: SyncOutcome = {
    kind: 'failed',
    reason: 'FetchFailed',
    message: 'connect ECONNREFUSED',
  };
  const approved = step(held, down, 't3', { approval: held.heldChangesDigest });
  assert.equal(approved.status.prices?.[0]?.outputPerMillion, 100);
  assert.equal(condition(approved.status, 'Synced')?.reason, 'FetchFailed');
});

test('an old approval does not approve a new set of held changes, and the message says so', () => {
  const first = step(undefined, fetched(2.5, 10), 't1').status;
  const held = step(first, fetched(2.5, 100), 't2').status;
  const later = step(held, fetched(2.5, 200), 't3', { approval: held.heldChangesDigest }).status;
  // t3's approval matched t2's set, so 100 came into force; 200 is within the factor of 100.
  assert.equal(later.prices?.[0]?.outputPerMillion, 200);
  const jump = step(later, fetched(2.5, 5000), 't4', { approval: held.heldChangesDigest }).status;
  assert.equal(jump.prices?.[0]?.outputPerMillion, 200);
  assert.notEqual(jump.heldChangesDigest, held.heldChangesDigest);
  assert.match(condition(jump, 'PricesApplied')?.message ?? '', /approves an earlier set/);
});

test('the same changes held again later need a new approval', () => {
  const first = step(undefined, fetched(2.5, 10), 't1').status;
  const held = step(first, fetched(2.5, 100), 't2').status;
  const cleared = step(held, fetched(2.5, 10), 't3').status;
  assert.deepEqual(cleared.heldChanges, []);
  const heldAgain = step(cleared, fetched(2.5, 100), 't4').status;
  assert.notEqual(heldAgain.heldChangesDigest, held.heldChangesDigest);
});

test('a feed that is down changes no price, sets Synced=False with the reason, and keeps lastSyncTime', () => {
  const first = step(undefined, fetched(2.5, 10), 't1').status;
  const down: SyncOutcome = { kind: 'failed', reason: 'TooLarge', message: 'larger than 16 MiB' };
  const failed = step(first, down, 't2');
  assert.deepEqual(failed.status.prices, first.prices);
  assert.equal(failed.status.lastSyncTime, 't1');
  assert.deepEqual(failed.status.lastError, {
    time: 't2',
    reason: 'TooLarge',
    message: 'larger than 16 MiB',
  });
  assert.deepEqual(
    [condition(failed.status, 'Synced')?.status, condition(failed.status, 'Synced')?.reason],
    ['False', 'TooLarge'],
  );
  assert.match(condition(failed.status, 'Synced')?.message ?? '', /nothing changed/);
  assert.equal(failed.newlyFailed, true);
  assert.equal(step(failed.status, down, 't3').newlyFailed, false, 'one SyncFailed per outage');
  const back = step(failed.status, fetched(2.5, 10), 't4').status;
  assert.equal(condition(back, 'Synced')?.status, 'True');
  assert.equal(condition(back, 'Synced')?.lastTransitionTime, 't4');
  assert.equal(back.lastError?.time, 't2', 'the last error stays visible after recovery');
});

test('before any successful sync, PricesApplied is Unknown: models use their spec prices', () => {
  const down: SyncOutcome = { kind: 'failed', reason: 'FetchFailed', message: 'timeout' };
  const { status } = step(undefined, down, 't1');
  assert.deepEqual(
    [condition(status, 'PricesApplied')?.status, condition(status, 'PricesApplied')?.reason],
    ['Unknown', 'NotSynced'],
  );
  assert.deepEqual(status.prices, []);
});

test('a condition keeps its lastTransitionTime while its status holds', () => {
  const first = step(undefined, fetched(2.5, 10), 't1').status;
  const second = step(first, fetched(2, 9), 't2').status;
  assert.equal(condition(second, 'Synced')?.lastTransitionTime, 't1');
  assert.equal(second.lastSyncTime, 't2');
});

test('status keeps the last applied changes only, newest first', () => {
  let status: PriceFeedStatus | undefined;
  for (let round = 0; round < 40; round++) {
    const price = round % 2 === 0 ? 2.5 : 2;
    status = step(status, fetched(price, price * 4), `t${round}`).status;
  }
  assert.equal(status?.appliedChanges?.length, APPLIED_HISTORY);
  assert.equal(status?.appliedChanges?.[0]?.time, 't39');
});

test('a model nobody references any more leaves status.prices', () => {
  const first = step(undefined, fetched(2.5, 10), 't1').status;
  const { status } = step(first, fetched(2.5, 10), 't2', { tracked: [] });
  assert.deepEqual(status.prices, []);
});
