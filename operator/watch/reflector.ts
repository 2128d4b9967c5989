import { setTimeout as sleep } from 'node:timers/promises';
import { Watch } from '@kubernetes/client-node';
import { isApiStatus } from '../kube/kube-api-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { objectKey, type KubeList, type KubeObject } from '../kube/kube-object.ts';
import { errorText, type Logger } from '../log/logger.ts';
import { Backoff } from './backoff.ts';

/** Why a reflector started over: bounded values, used as a metric label. */
export type RestartReason = 'closed' | 'error' | 'expired' | 'relist';

/** Timing of a reflector; tests shorten these. */
export interface ReflectorTiming {
  /** Full relist period, a safety net for watches that stop silently. Default 5 min. */
  relistIntervalMs: number;
  /** First retry delay after an error. Default 250 ms. */
  initialBackoffMs: number;
  /** Largest retry delay. Default 30 s. */
  maxBackoffMs: number;
}

/** Default timing, close to client-go's informers. */
export const DEFAULT_REFLECTOR_TIMING: ReflectorTiming = {
  relistIntervalMs: 5 * 60_000,
  initialBackoffMs: 250,
  maxBackoffMs: 30_000,
};

/** How to list and watch one collection. */
export interface ReflectorOptions<T> {
  /** Name for logs and metrics, e.g. `modelproviders`. */
  resource: string;
  client: KubeClient;
  /** Collection path, e.g. `/apis/switchyard.dev/v1alpha1/modelproviders`. */
  path: string;
  fieldSelector?: string;
  /** What to keep of an object; undefined drops it (as if it did not exist). */
  transform: (object: KubeObject) => T | undefined;
  /** Whether two kept values are the same; no change is signalled when they are. */
  equals: (a: T, b: T) => boolean;
  /** Called after the cache changed. */
  onChange: () => void;
  /** Called whenever the list/watch cycle starts over. */
  onRestart?: (reason: RestartReason) => void;
  /**
   * A collection the API server does not serve (404: its CRD is not installed, as after a
   * `helm upgrade`, which never adds CRDs) counts as empty and synced, and is listed again every
   * maxBackoffMs, instead of holding readiness back forever.
   */
  absentAsEmpty?: boolean;
  log: Logger;
  timing?: Partial<ReflectorTiming>;
}

type WatchEnd = { kind: 'closed' } | { kind: 'expired' } | { kind: 'error'; error: unknown };

/** A list answer's items and resourceVersion, gathered over every page. */
interface Listing {
  items: KubeObject[];
  resourceVersion: string;
}

const PAGE_SIZE = 500;

/**
 * A supervised list+watch cache of one collection, client-go's reflector. client-node watches
 * can end silently or on error without restarting (Pepr's ADRs record it), so this loop owns the
 * lifecycle: list, watch from the list's resourceVersion, reconnect at once when the server
 * closes the stream, back off on errors, relist on 410 Gone and on a timer.
 */
export class Reflector<T> {
  readonly #options: ReflectorOptions<T>;
  readonly #timing: ReflectorTiming;
  readonly #watch: Watch;
  readonly #backoff: Backoff;
  readonly #stop = new AbortController();
  #store = new Map<string, T>();
  #resourceVersion = '';
  #current: AbortController | undefined;
  #relistDue = false;
  #relistTimer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  #synced = false;
  #absentLogged = false;
  readonly #syncedWaiters: (() => void)[] = [];

  constructor(options: ReflectorOptions<T>) {
    this.#options = options;
    this.#timing = { ...DEFAULT_REFLECTOR_TIMING, ...options.timing };
    this.#watch = new Watch(options.client.kubeConfig);
    this.#backoff = new Backoff({
      initialMs: this.#timing.initialBackoffMs,
      maxMs: this.#timing.maxBackoffMs,
    });
  }

  /** Whether the first list has completed. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list has completed (never rejects; errors are retried). */
  synced(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncedWaiters.push(resolve));
  }

  /** Every kept value. */
  values(): T[] {
    return [...this.#store.values()];
  }

  /** The kept value of one object. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.#store.get(`${namespace ?? ''}/${name}`);
  }

  /** Starts the list/watch loop. */
  start(): void {
    this.#loop ??= this.#run();
    this.#armRelistTimer();
  }

  /** Stops watching and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#relistTimer);
    this.#current?.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      let end: WatchEnd;
      try {
        if (this.#resourceVersion === '' && !(await this.#list())) {
          await sleep(this.#timing.maxBackoffMs, undefined, { signal: this.#stop.signal }).catch(
            () => undefined,
          );
          continue;
        }
        end = await this.#watchOnce();
      } catch (error) {
        end = { kind: 'error', error };
      }
      if (this.#stop.signal.aborted) return;
      await this.#afterWatch(end);
    }
  }

  async #afterWatch(end: WatchEnd): Promise<void> {
    const { log, resource, onRestart } = this.#options;
    if (this.#relistDue) {
      this.#relistDue = false;
      this.#resourceVersion = '';
      onRestart?.('relist');
      return;
    }
    switch (end.kind) {
      case 'closed':
        // The server ends every watch after its timeout; reconnecting at once is normal.
        onRestart?.('closed');
        return;
      case 'expired':
        this.#resourceVersion = '';
        onRestart?.('expired');
        return;
      case 'error': {
        const delayMs = this.#backoff.next();
        log.warn('watch failed; retrying', { resource, error: errorText(end.error), delayMs });
        onRestart?.('error');
        await sleep(delayMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
        return;
      }
    }
  }

  /** Lists the collection into the cache; false when it is absent (see absentAsEmpty). */
  async #list(): Promise<boolean> {
    const listing = await this.#listAll().catch((error: unknown) => {
      if (this.#options.absentAsEmpty === true && isApiStatus(error, 404)) return undefined;
      throw error;
    });
    if (listing === undefined) {
      if (!this.#absentLogged) {
        this.#options.log.warn('collection not served; treated as empty until it is', {
          resource: this.#options.resource,
          path: this.#options.path,
        });
        this.#absentLogged = true;
      }
      this.#replace({ items: [], resourceVersion: '' });
      return false;
    }
    this.#absentLogged = false;
    this.#replace(listing);
    return true;
  }

  #replace(listing: Listing): void {
    const next = new Map<string, T>();
    for (const object of listing.items) {
      const value = this.#options.transform(object);
      if (value !== undefined) next.set(objectKey(object), value);
    }
    const changed = !sameStore(this.#store, next, this.#options.equals);
    this.#store = next;
    this.#resourceVersion = listing.resourceVersion;
    this.#backoff.reset();
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncedWaiters.splice(0)) resolve();
      this.#options.onChange();
    } else if (changed) {
      this.#options.onChange();
    }
  }

  async #listAll(): Promise<Listing> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    let resourceVersion: string;
    do {
      const page = await this.#options.client.request<KubeList>({
        method: 'GET',
        path: this.#options.path,
        query: { limit: PAGE_SIZE, continue: token, fieldSelector: this.#options.fieldSelector },
      });
      items.push(...page.items);
      resourceVersion = page.metadata.resourceVersion ?? '';
      token = page.metadata.continue === '' ? undefined : page.metadata.continue;
    } while (token !== undefined);
    return { items, resourceVersion };
  }

  #watchOnce(): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let expired = false;
      const onEvent = (phase: string, object: KubeObject): void => {
        if (phase === 'ERROR') {
          // A Status object: 410 means our resourceVersion fell out of the watch window.
          if ((object as { code?: unknown }).code === 410) expired = true;
          return;
        }
        this.#apply(phase, object);
      };
      const onDone = (error: unknown): void => {
        if (expired || (error as { statusCode?: unknown } | null)?.statusCode === 410) {
          resolve({ kind: 'expired' });
        } else if (error === null || error === undefined || isTimeout(error)) {
          resolve({ kind: 'closed' });
        } else {
          resolve({ kind: 'error', error });
        }
      };
      this.#watch
        .watch(
          this.#options.path,
          {
            resourceVersion: this.#resourceVersion,
            allowWatchBookmarks: true,
            fieldSelector: this.#options.fieldSelector,
            // Spread reconnects over time, as client-go does (5-10 minutes).
            timeoutSeconds: 300 + Math.floor(Math.random() * 300),
          },
          onEvent,
          onDone,
        )
        .then(
          (controller) => {
            this.#current = controller;
            if (this.#stop.signal.aborted) controller.abort();
          },
          (error: unknown) => resolve({ kind: 'error', error }),
        );
    });
  }

  #apply(phase: string, object: KubeObject): void {
    const version = object.metadata?.resourceVersion;
    if (version !== undefined) this.#resourceVersion = version;
    if (phase === 'BOOKMARK') return;
    this.#backoff.reset();
    const key = objectKey(object);
    const before = this.#store.get(key);
    const value = phase === 'DELETED' ? undefined : this.#options.transform(object);
    if (value === undefined) {
      if (!this.#store.delete(key)) return;
    } else {
      if (before !== undefined && this.#options.equals(before, value)) {
        this.#store.set(key, value);
        return;
      }
      this.#store.set(key, value);
    }
    this.#options.onChange();
  }

  #armRelistTimer(): void {
    clearTimeout(this.#relistTimer);
    this.#relistTimer = setTimeout(() => {
      this.#relistDue = true;
      this.#current?.abort();
      this.#armRelistTimer();
    }, this.#timing.relistIntervalMs);
    this.#relistTimer.unref();
  }
}

function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'TimeoutError';
}

function sameStore<T>(
  a: ReadonlyMap<string, T>,
  b: ReadonlyMap<string, T>,
  equals: (x: T, y: T) => boolean,
): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other === undefined || !equals(value, other)) return false;
  }
  return true;
}
