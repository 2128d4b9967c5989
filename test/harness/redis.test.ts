// The Redis harness starts a real redis-server that answers raw RESP and stops cleanly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisCommand, startRedis } from './redis.ts';

test('startRedis serves PING, SET and GET on a loopback port, and stop frees the port', async () => {
  const redis = await startRedis();
  try {
    assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await redisCommand(redis.port, ['PING']), 'PONG');
    assert.equal(await redis.command('SET', 'greeting', 'héllo'), 'OK');
    assert.equal(await redis.command('GET', 'greeting'), 'héllo');
    assert.equal(await redis.command('GET', 'missing'), null);
    assert.equal(await redis.command('INCRBY', 'counter', '5'), 5);
    assert.deepEqual(await redis.command('CONFIG', 'GET', 'save'), ['save', '']);
    assert.ok((await redis.command('NOSUCHCOMMAND')) instanceof Error);
  } finally {
    await redis.stop();
  }
  await assert.rejects(redisCommand(redis.port, ['PING']));
});

test('several Redis servers run side by side', async () => {
  const servers = await Promise.all([startRedis(), startRedis(), startRedis()]);
  try {
    assert.equal(new Set(servers.map((server) => server.port)).size, 3);
    await Promise.all(servers.map((server, index) => server.command('SET', 'k', String(index))));
    const values = await Promise.all(servers.map((server) => server.command('GET', 'k')));
    assert.deepEqual(values, ['0', '1', '2']);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
});
