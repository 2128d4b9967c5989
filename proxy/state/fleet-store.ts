/**
 * Hashes and lists shared by the proxy fleet for the quality loop and live state (the key names
 * are in core/live/fleet-keys.ts). With Redis they are fleet-wide, so every pod demotes the same
 * targets and the operator can summarise the fleet; in memory they are the pod's own.
 */
export interface FleetStore {
  /** Adds each increment (a float) to its field of the hash at `key`, refreshing the key's TTL. */
  hashAdd(key: string, increments: ReadonlyMap<string, number>, ttlSeconds: number): Promise<void>;
  /** Every field of the hash at `key`; empty when absent. */
  hashGetAll(key: string): Promise<Map<string, string>>;
  /** Sets one field of the hash at `key`, refreshing the key's TTL. */
  hashSet(key: string, field: string, value: string, ttlSeconds: number): Promise<void>;
  /** Deletes fields; resolves to how many existed. */
  hashDelete(key: string, fields: readonly string[]): Promise<number>;
  /**
   * Sets `field` to `value` unless it is already set or every one of `others` is set, in one
   * atomic step (so two pods cannot each take away one of the last two targets); true when set.
   */
  hashSetUnlessOthersSet(
    key: string,
    field: string,
    value: string,
    others: readonly string[],
    ttlSeconds: number,
  ): Promise<boolean>;
  /** Pushes `value` to the head of the list at `key` and keeps the newest `maxLength` items. */
  listPush(key: string, value: string, maxLength: number, ttlSeconds: number): Promise<void>;
  /** The newest `count` items of the list at `key`, newest first. */
  listRange(key: string, count: number): Promise<string[]>;
}
