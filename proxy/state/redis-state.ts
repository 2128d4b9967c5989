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

/** Commands give up after this long: a slow Redis must not stall requests for long. */
const COMMAND_TIMEOUT_MS = 250;

function newClient(url: string) {
  return createClient({
    url,
    socket: {
      connectTimeout: 2000,
      // Reconnect quickly at first, then every 2 s; commands fail fast meanwhile (budget fails open).
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
    },
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
  });
}

type RedisClient = ReturnType<typeof newClient>;

/** SharedState in Redis: budgets and cache shared by the whole proxy fleet. */
export class RedisState implements SharedState {
  readonly kind = 'redis';
  readonly #client: RedisClient;

  private constructor(client: RedisClient) {
    this.#client = client;
  }

  /** Connects to `url` (redis://host:port). Reconnects on its own after a drop. */
  static async connect(
    url: string,
    onError: (error: Error) => void = () => {},
  ): Promise<RedisState> {
    const client = newClient(url);
    client.on('error', onError);
    await client.connect();
    return new RedisState(client);
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

  async close(): Promise<void> {
    await this.#client.close();
  }
}
