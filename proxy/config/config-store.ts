import {
  ROUTER_CONFIG_SCHEMA_VERSION,
  routerConfig,
  type RouterConfig,
} from '../../core/config/router-config.ts';
import { buildRouteIndex, type RouteIndex } from '../../core/routing/route-index.ts';

/** The outcome of offering a new config to the store. */
export type LoadResult =
  | { ok: true; changed: boolean; hash: string }
  | { ok: false; error: string; keptHash: string | undefined };

/**
 * Holds the config the proxy serves. A new config is validated and indexed before it replaces
 * the current one in a single assignment, so a request sees either the old or the new config,
 * never a mix, and an invalid config leaves the last good one serving.
 */
export class ConfigStore {
  #current: RouteIndex | undefined;
  readonly #listeners: ((index: RouteIndex) => void)[] = [];

  /** The index of the config being served; undefined until the first config loaded. */
  get current(): RouteIndex | undefined {
    return this.#current;
  }

  /** True once a config has loaded: the proxy is ready. */
  get ready(): boolean {
    return this.#current !== undefined;
  }

  /** Validates and swaps in a config given as an unknown value (parsed JSON). */
  load(candidate: unknown): LoadResult {
    const keptHash = this.#current?.config.configHash;
    const version = (candidate as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (version !== ROUTER_CONFIG_SCHEMA_VERSION) {
      return {
        ok: false,
        error: `unsupported schemaVersion ${String(version)}; this proxy reads ${ROUTER_CONFIG_SCHEMA_VERSION}`,
        keptHash,
      };
    }
    const parsed = routerConfig.safeParse(candidate);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return {
        ok: false,
        error: `invalid config at ${first?.path.join('.') ?? '?'}: ${first?.message ?? 'unknown'}`,
        keptHash,
      };
    }
    return this.swap(parsed.data);
  }

  /** Swaps in an already validated config (from compile() in the same process). */
  swap(config: RouterConfig): LoadResult {
    if (config.configHash === this.#current?.config.configHash) {
      return { ok: true, changed: false, hash: config.configHash };
    }
    let index: RouteIndex;
    try {
      index = buildRouteIndex(config);
    } catch (error) {
      return {
        ok: false,
        error: `config could not be indexed: ${(error as Error).message}`,
        keptHash: this.#current?.config.configHash,
      };
    }
    this.#current = index;
    for (const listener of this.#listeners) listener(index);
    return { ok: true, changed: true, hash: config.configHash };
  }

  /** Calls `listener` after every successful swap. */
  onChange(listener: (index: RouteIndex) => void): void {
    this.#listeners.push(listener);
  }
}
