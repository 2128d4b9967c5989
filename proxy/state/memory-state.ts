import { MemoryFleetStore } from './memory-fleet-store.ts';
import type { SharedState } from './shared-state.ts';

/** Entries the in-memory cache holds at most; the oldest go first. */
const MAX_CACHE_ENTRIES = 10_000;

/** SharedState for one pod, in memory: used without Redis, and by `switchyard serve` locally. */
export class MemoryState extends MemoryFleetStore implements SharedState {
  readonly kind = 'memory';
  readonly #counters = new Map<string, number>();
  readonly #cache = new Map<string, { value: string; expiresAtMs: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    super(now);
    this.#now = now;
  }

  reserve(key: string, amount: number, limit: number): Promise<{ ok: boolean; total: number }> {
    const current = this.#counters.get(key) ?? 0;
    if (current + amount > limit) return Promise.resolve({ ok: false, total: current });
    this.#counters.set(key, current + amount);
    return Promise.resolve({ ok: true, total: current + amount });
  }

  adjust(key: string, delta: number): Promise<number> {
    const next = (this.#counters.get(key) ?? 0) + delta;
    this.#counters.set(key, next);
    return Promise.resolve(next);
  }

  read(key: string): Promise<number> {
    return Promise.resolve(this.#counters.get(key) ?? 0);
  }

  restore(key: string, floor: number, delta: number): Promise<number> {
    const next = Math.max(this.#counters.get(key) ?? 0, floor) + delta;
    this.#counters.set(key, next);
    return Promise.resolve(next);
  }

  onReconnect(): void {
    // Memory is never unreachable.
  }

  get(key: string): Promise<string | undefined> {
    const entry = this.#cache.get(key);
    if (entry === undefined || entry.expiresAtMs <= this.#now()) return Promise.resolve(undefined);
    return Promise.resolve(entry.value);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (this.#cache.size >= MAX_CACHE_ENTRIES) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(key, { value, expiresAtMs: this.#now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
