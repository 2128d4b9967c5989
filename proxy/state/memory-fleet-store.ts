import type { FleetStore } from './fleet-store.ts';

interface Entry<T> {
  value: T;
  expiresAtMs: number;
}

/** Writes between sweeps of expired keys. */
const SWEEP_EVERY = 1000;

/**
 * FleetStore in one pod's memory, with Redis' semantics (TTL per key, lists trimmed to length),
 * so a pod without Redis behaves as a fleet of one. Expired keys are dropped on access and swept
 * every thousand writes, so minute counters do not pile up in a long-lived pod.
 */
export class MemoryFleetStore implements FleetStore {
  readonly #hashes = new Map<string, Entry<Map<string, string>>>();
  readonly #lists = new Map<string, Entry<string[]>>();
  readonly #clock: () => number;
  #writes = 0;

  constructor(now: () => number = Date.now) {
    this.#clock = now;
  }

  hashAdd(key: string, increments: ReadonlyMap<string, number>, ttlSeconds: number): Promise<void> {
    const hash = this.#hash(key, ttlSeconds);
    for (const [field, n] of increments) hash.set(field, String(Number(hash.get(field) ?? 0) + n));
    return Promise.resolve();
  }

  hashGetAll(key: string): Promise<Map<string, string>> {
    return Promise.resolve(new Map(this.#live(this.#hashes, key) ?? []));
  }

  hashSet(key: string, field: string, value: string, ttlSeconds: number): Promise<void> {
    this.#hash(key, ttlSeconds).set(field, value);
    return Promise.resolve();
  }

  hashDelete(key: string, fields: readonly string[]): Promise<number> {
    const hash = this.#live(this.#hashes, key);
    let deleted = 0;
    for (const field of fields) if (hash?.delete(field) === true) deleted++;
    return Promise.resolve(deleted);
  }

  hashSetUnlessOthersSet(
    key: string,
    field: string,
    value: string,
    others: readonly string[],
    ttlSeconds: number,
  ): Promise<boolean> {
    const hash = this.#hash(key, ttlSeconds);
    if (hash.has(field) || others.every((other) => hash.has(other))) return Promise.resolve(false);
    hash.set(field, value);
    return Promise.resolve(true);
  }

  listPush(key: string, value: string, maxLength: number, ttlSeconds: number): Promise<void> {
    const list = this.#live(this.#lists, key) ?? [];
    list.unshift(value);
    list.length = Math.min(list.length, maxLength);
    this.#lists.set(key, { value: list, expiresAtMs: this.#expiry(ttlSeconds) });
    this.#wrote();
    return Promise.resolve();
  }

  listRange(key: string, count: number): Promise<string[]> {
    return Promise.resolve((this.#live(this.#lists, key) ?? []).slice(0, count));
  }

  #hash(key: string, ttlSeconds: number): Map<string, string> {
    const hash = this.#live(this.#hashes, key) ?? new Map<string, string>();
    this.#hashes.set(key, { value: hash, expiresAtMs: this.#expiry(ttlSeconds) });
    this.#wrote();
    return hash;
  }

  #live<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > this.#clock()) return entry.value;
    map.delete(key);
    return undefined;
  }

  #expiry(ttlSeconds: number): number {
    return this.#clock() + ttlSeconds * 1000;
  }

  #wrote(): void {
    if (++this.#writes % SWEEP_EVERY !== 0) return;
    const now = this.#clock();
    for (const map of [this.#hashes, this.#lists] as Map<string, Entry<unknown>>[]) {
      for (const [key, entry] of map) if (entry.expiresAtMs <= now) map.delete(key);
    }
  }
}
