// One conformance suite for both FleetStore implementations (Hono style): the in-memory one a
// pod uses alone and the Redis one a fleet shares, run against a real Redis.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FleetStore } from '../../proxy/state/fleet-store.ts';
import { MemoryState } from '../../proxy/state/memory-state.ts';
import { RedisState } from '../../proxy/state/redis-state.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';

let redis: RedisServer;
let redisState: RedisState;
let clockMs = 1_000_000;

before(async () => {
  redis = await startRedis();
  redisState = await RedisState.connect(redis.url);
});

after(async () => {
  await redisState.close();
  await redis.stop();
});

const stores: [string, () => FleetStore][] = [
  ['memory', () => new MemoryState(() => clockMs)],
  ['redis', () => redisState],
];

for (const [name, store] of stores) {
  describe(`the ${name} fleet store`, () => {
    test('adds floats to hash fields and reads them back', async () => {
      const s = store();
      await s.hashAdd(
        `${name}:h`,
        new Map([
          ['a', 1.5],
          ['b', 2],
        ]),
        60,
      );
      await s.hashAdd(`${name}:h`, new Map([['a', 0.25]]), 60);
      const all = await s.hashGetAll(`${name}:h`);
      assert.deepEqual([Number(all.get('a')), Number(all.get('b'))], [1.75, 2]);
      assert.equal((await s.hashGetAll(`${name}:absent`)).size, 0);
    });

    test('sets and deletes fields', async () => {
      const s = store();
      await s.hashSet(`${name}:s`, 'x', 'one', 60);
      await s.hashSet(`${name}:s`, 'y', 'two', 60);
      assert.equal(await s.hashDelete(`${name}:s`, ['x', 'z']), 1);
      assert.deepEqual([...(await s.hashGetAll(`${name}:s`))], [['y', 'two']]);
    });

    test('refuses to set a field when every other listed field is set', async () => {
      const s = store();
      const key = `${name}:demoted`;
      assert.equal(await s.hashSetUnlessOthersSet(key, 'a', '1', ['b', 'c'], 60), true);
      assert.equal(await s.hashSetUnlessOthersSet(key, 'a', '2', ['b', 'c'], 60), false, 'set');
      assert.equal(await s.hashSetUnlessOthersSet(key, 'b', '1', ['a', 'c'], 60), true);
      assert.equal(
        await s.hashSetUnlessOthersSet(key, 'c', '1', ['a', 'b'], 60),
        false,
        'the last one',
      );
      assert.equal(await s.hashSetUnlessOthersSet(`${name}:alone`, 'a', '1', [], 60), false);
      assert.deepEqual([...(await s.hashGetAll(key)).keys()].sort(), ['a', 'b']);
    });

    test('keeps the newest items of a list, newest first', async () => {
      const s = store();
      for (const v of ['1', '2', '3', '4']) await s.listPush(`${name}:l`, v, 3, 60);
      assert.deepEqual(await s.listRange(`${name}:l`, 10), ['4', '3', '2']);
      assert.deepEqual(await s.listRange(`${name}:l`, 2), ['4', '3']);
      assert.deepEqual(await s.listRange(`${name}:none`, 2), []);
    });
  });
}

test('the memory store forgets keys once their TTL has passed, as Redis does', async () => {
  const s = new MemoryState(() => clockMs);
  await s.hashAdd('h', new Map([['a', 1]]), 10);
  await s.listPush('l', 'x', 5, 10);
  clockMs += 11_000;
  assert.equal((await s.hashGetAll('h')).size, 0);
  assert.deepEqual(await s.listRange('l', 5), []);
});
