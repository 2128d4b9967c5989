import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@redis/client';
import type { SharedState } from './shared-state.ts';

/**
 * Check-and-add in one step on the Redis server, so concurrent reservations from any number of
 * pods can never together pass the limit.
 */
const RESERVE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if current + amount > tonumber(ARGV[2]) then return {0, current} end
local total = redis.call('INCRBY', KEYS[1], amount)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, total}`;

/**
 * Sets a hash field unless it is set or every listed other field is: the demotion that would take
 * away a policy's last target in good standing is refused atomically, whichever pod tries.
 */
const SET_UNLESS_OTHERS_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local others = tonumber(ARGV[4])
local allSet = true
for i = 1, others do
  if redis.call('HEXISTS', KEYS[1], ARGV[4 + i]) == 0 then allSet = false break end
end
if allSet then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;
/** Raise-to-floor, then add: rebuilds a counter that a restarted Redis lost (see BudgetGuard). */
const RESTORE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if current < floor then redis.call('SET', KEYS[1], floor) end
local total = redis.call('INCRBY', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return total`;

/** Commands give up after this long: a slow Redis must not stall requests for long. */
const COMMAND_TIMEOUT_MS = 250;

function newClient(url: string) {
  return createClient({
    url,
    socket: {
      connectTimeout: 2000,
      // Reconnect quickly at first, then every 2 s, for ever: a Redis down at startup or later
      // is waited for, never given up on.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
    },
    // Commands fail at once while disconnected, instead of queueing until Redis is back: the
    // budget guard then applies the policy's onStateUnavailable, and the cache counts a miss.
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
  });
}

type RedisClient = ReturnType<typeof newClient>;

/** SharedState in Redis: budgets, cache and the quality loop's state shared by the whole fleet. */
export class RedisState implements SharedState {
  readonly kind = 'redis';
  readonly #client: RedisClient;

  private constructor(client: RedisClient) {
    this.#client = client;
  }

  readonly #reconnectListeners: (() => void)[] = [];
  #wasDown = false;

  /**
   * A client for `url` (redis://host:port) that connects in the background and reconnects on its
   * own after a drop: the proxy starts and serves while Redis is down (budgets then follow their
   * onStateUnavailable). It waits up to `waitMs` for the first connection, so a proxy starting
   * next to a healthy Redis does not serve its first requests without it. `onStatus` hears the
   * first error of an outage and the recovery, once each.
   */
  static async connect(
    url: string,
    onStatus: (message: string) => void = () => {},
    waitMs = 2000,
  ): Promise<RedisState> {
    const client = newClient(url);
    const state = new RedisState(client);
    client.on('error', (error: Error) => {
      if (state.#wasDown) return;
      state.#wasDown = true;
      onStatus(`unreachable (${error.message}); retrying every 2 s`);
    });
    client.on('ready', () => {
      if (!state.#wasDown) return;
      state.#wasDown = false;
      onStatus('reachable again');
      for (const listener of state.#reconnectListeners) listener();
    });
    const connected = client.connect().then(
      () => undefined,
      () => undefined, // rejects only when the client is closed first; errors go to 'error' above
    );
    await Promise.race([connected, delay(waitMs, undefined, { ref: false })]);
    return state;
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener);
  }

  async restore(key: string, floor: number, delta: number, ttlSeconds: number): Promise<number> {
    const total = (await this.#client.eval(RESTORE_SCRIPT, {
      keys: [key],
      arguments: [String(Math.round(floor)), String(Math.round(delta)), String(ttlSeconds)],
    })) as number;
    return Number(total);
  }

  async reserve(
    key: string,
    amount: number,
    limit: number,
    ttlSeconds: number,
  ): Promise<{ ok: boolean; total: number }> {
    const reply = (await this.#client.eval(RESERVE_SCRIPT, {
      keys: [key],
      arguments: [String(Math.round(amount)), String(Math.floor(limit)), String(ttlSeconds)],
    })) as [number, number];
    return { ok: reply[0] === 1, total: Number(reply[1]) };
  }

  async adjust(key: string, delta: number, ttlSeconds: number): Promise<number> {
    const total = await this.#client.incrBy(key, Math.round(delta));
    await this.#client.expire(key, ttlSeconds);
    return total;
  }

  async read(key: string): Promise<number> {
    return Number((await this.#client.get(key)) ?? 0);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#client.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.#client.set(key, value, { EX: ttlSeconds });
  }

  async hashAdd(
    key: string,
    increments: ReadonlyMap<string, number>,
    ttlSeconds: number,
  ): Promise<void> {
    if (increments.size === 0) return;
    const batch = this.#client.multi();
    for (const [field, n] of increments) batch.hIncrByFloat(key, field, n);
    batch.expire(key, ttlSeconds);
    await batch.exec();
  }

  async hashGetAll(key: string): Promise<Map<string, string>> {
    const reply = (await this.#client.hGetAll(key)) as Record<string, string>;
    return new Map(Object.entries(reply));
  }

  async hashSet(key: string, field: string, value: string, ttlSeconds: number): Promise<void> {
    await this.#client.multi().hSet(key, field, value).expire(key, ttlSeconds).exec();
  }

  async hashDelete(key: string, fields: readonly string[]): Promise<number> {
    if (fields.length === 0) return 0;
    return Number(await this.#client.hDel(key, [...fields]));
  }

  async hashSetUnlessOthersSet(
    key: string,
    field: string,
    value: string,
    others: readonly string[],
    ttlSeconds: number,
  ): Promise<boolean> {
    const reply = await this.#client.eval(SET_UNLESS_OTHERS_SCRIPT, {
      keys: [key],
      arguments: [field, value, String(ttlSeconds), String(others.length), ...others],
    });
    return Number(reply) === 1;
  }

  async listPush(key: string, value: string, maxLength: number, ttlSeconds: number): Promise<void> {
    await this.#client
      .multi()
      .lPush(key, value)
      .lTrim(key, 0, maxLength - 1)
      .expire(key, ttlSeconds)
      .exec();
  }

  async listRange(key: string, count: number): Promise<string[]> {
    if (count <= 0) return [];
    return this.#client.lRange(key, 0, count - 1);
  }

  async close(): Promise<void> {
    if (this.#client.isReady) await this.#client.close();
    else this.#client.destroy();
  }
}
