import type { FleetStore } from './fleet-store.ts';

/**
 * State shared by every proxy pod: budget counters, the response cache, and the quality loop's
 * and live state's hashes and lists (FleetStore). With Redis it is
 * fleet-wide (N pods cannot spend N× the budget); without, each pod keeps its own.
 */
export interface SharedState extends FleetStore {
  /** `redis` or `memory`, for logs and metrics. */
  readonly kind: 'redis' | 'memory';
  /**
   * Atomically adds `amount` to the counter at `key` unless that would pass `limit`; returns
   * whether it was added and the counter's value after the call.
   */
  reserve(
    key: string,
    amount: number,
    limit: number,
    ttlSeconds: number,
  ): Promise<{ ok: boolean; total: number }>;
  /** Adds `delta` (may be negative) to the counter at `key`; returns the new value. */
  adjust(key: string, delta: number, ttlSeconds: number): Promise<number>;
  /** The counter at `key`, 0 when absent. */
  read(key: string): Promise<number>;
  /**
   * Raises the counter at `key` to at least `floor` (a store that restarted empty lost it), then
   * adds `delta` (what this pod spent while the store was unreachable); returns the new value.
   */
  restore(key: string, floor: number, delta: number, ttlSeconds: number): Promise<number>;
  /**
   * Calls `listener` each time the store is reachable again after it was not (a Redis that
   * restarted, a network cut that healed); never for a store that cannot fail.
   */
  onReconnect(listener: () => void): void;
  /** A cached value. */
  get(key: string): Promise<string | undefined>;
  /** Stores a value for `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}
