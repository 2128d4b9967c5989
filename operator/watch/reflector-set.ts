import type { Reflector } from './reflector.ts';

/**
 * Several reflectors of one kind (one per watched namespace) seen as one cache. With every
 * namespace watched there is a single reflector over the cluster-wide collection.
 */
export class ReflectorSet<T> {
  readonly #reflectors: readonly Reflector<T>[];

  constructor(reflectors: readonly Reflector<T>[]) {
    this.#reflectors = reflectors;
  }

  /** Every kept value across namespaces. */
  values(): T[] {
    return this.#reflectors.flatMap((reflector) => reflector.values());
  }

  /** The kept value of one object. */
  get(namespace: string | undefined, name: string): T | undefined {
    for (const reflector of this.#reflectors) {
      const value = reflector.get(namespace, name);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** Whether every reflector has listed once. */
  get hasSynced(): boolean {
    return this.#reflectors.every((reflector) => reflector.hasSynced);
  }

  /** Resolves once every reflector has listed once. */
  async synced(): Promise<void> {
    await Promise.all(this.#reflectors.map((reflector) => reflector.synced()));
  }

  start(): void {
    for (const reflector of this.#reflectors) reflector.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#reflectors.map((reflector) => reflector.stop()));
  }
}
