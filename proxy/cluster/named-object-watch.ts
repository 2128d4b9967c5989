import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeRest } from './kube-rest.ts';

/** An object as the watcher hands it on: only the fields the proxy reads. */
export interface WatchedObject {
  metadata?: {
    name?: string;
    resourceVersion?: string;
    annotations?: Record<string, string> | undefined;
  };
  data?: Record<string, string> | undefined;
  binaryData?: Record<string, string> | undefined;
}

/** Timing of a watch; tests shorten these. */
export interface NamedWatchTiming {
  /** Full relist period, the safety net for a watch that stops silently. Default 5 min. */
  relistIntervalMs: number;
  /** First retry delay after an error. Default 250 ms. */
  initialBackoffMs: number;
  /** Largest retry delay, also while the API server is unreachable. Default 10 s. */
  maxBackoffMs: number;
}

/** How long the API server keeps one watch open before the proxy starts the next. */
const WATCH_TIMEOUT_SECONDS = 300;

/** Defaults: a relist every 5 minutes, retries from 250 ms up to 10 s. */
export const DEFAULT_NAMED_WATCH_TIMING: NamedWatchTiming = {
  relistIntervalMs: 5 * 60_000,
  initialBackoffMs: 250,
  maxBackoffMs: 10_000,
};

/** What to watch and whom to tell. */
export interface NamedWatchOptions {
  /** The API client, shared by the proxy's watches. */
  rest: KubeRest;
  namespace: string;
  resource: 'configmaps' | 'secrets';
  name: string;
  /** The object's current state: undefined when it does not exist (or was deleted). */
  onObject: (object: WatchedObject | undefined) => void;
  /** A list or watch failed; the watch retries by itself. */
  onError: (error: unknown, retryInMs: number) => void;
  timing?: Partial<NamedWatchTiming>;
}

/** A running watch. */
export interface NamedWatch {
  stop(): Promise<void>;
}

/**
 * Follows one named object (list with a `metadata.name` field selector, then watch from the
 * list's resourceVersion): the only access the proxy's RBAC grants. Supervised like the
 * operator's informers, since a watch can end without notice: reconnect when the server closes
 * the stream, back off on errors (an unreachable API server just means retrying),
 * relist on 410 Gone and on a timer. Nothing here throws to the caller.
 */
export function watchNamedObject(options: NamedWatchOptions): NamedWatch {
  const timing = { ...DEFAULT_NAMED_WATCH_TIMING, ...options.timing };
  const { rest } = options;
  const stopSignal = new AbortController();
  const path = `/api/v1/namespaces/${options.namespace}/${options.resource}`;
  const fieldSelector = `metadata.name=${options.name}`;
  let resourceVersion = '';
  let failures = 0;
  let current: AbortController | undefined;
  let relistDue = false;

  const relistTimer = setInterval(() => {
    relistDue = true;
    current?.abort();
  }, timing.relistIntervalMs);
  relistTimer.unref();

  const list = async (): Promise<void> => {
    const listed = (await rest.get(path, { fieldSelector }, stopSignal.signal)) as {
      metadata?: { resourceVersion?: string };
      items?: WatchedObject[];
    };
    resourceVersion = listed.metadata?.resourceVersion ?? '';
    failures = 0;
    options.onObject(listed.items?.[0]);
  };

  const watchOnce = async (): Promise<'closed' | 'expired' | { error: unknown }> => {
    const controller = new AbortController();
    current = controller;
    const signal = AbortSignal.any([controller.signal, stopSignal.signal]);
    const query = {
      fieldSelector,
      resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(WATCH_TIMEOUT_SECONDS),
    };
    let expired = false;
    try {
      await rest.watch(path, query, signal, ({ type, object }) => {
        if (type === 'ERROR') {
          if (object['code'] === 410) expired = true;
          return;
        }
        const watched = object as WatchedObject;
        resourceVersion = watched.metadata?.resourceVersion ?? resourceVersion;
        if (type === 'BOOKMARK') return;
        failures = 0;
        options.onObject(type === 'DELETED' ? undefined : watched);
      });
      return expired ? 'expired' : 'closed';
    } catch (error) {
      if (expired || (error as { statusCode?: unknown }).statusCode === 410) return 'expired';
      // Aborted by the relist timer (or by stop): not a failure, the loop decides what is next.
      return controller.signal.aborted || stopSignal.signal.aborted ? 'closed' : { error };
    } finally {
      current = undefined;
    }
  };

  const backOff = async (error: unknown): Promise<void> => {
    const ceiling = Math.min(timing.maxBackoffMs, timing.initialBackoffMs * 2 ** failures);
    failures = Math.min(failures + 1, 30);
    const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    options.onError(error, delayMs);
    await sleep(delayMs, undefined, { signal: stopSignal.signal }).catch(() => undefined);
  };

  const loop = (async () => {
    while (!stopSignal.signal.aborted) {
      let outcome: 'closed' | 'expired' | { error: unknown };
      try {
        if (resourceVersion === '') await list();
        outcome = await watchOnce();
      } catch (error) {
        outcome = { error };
      }
      if (stopSignal.signal.aborted) return;
      if (relistDue || outcome === 'expired') {
        relistDue = false;
        resourceVersion = '';
      } else if (outcome !== 'closed') {
        await backOff(outcome.error);
      }
    }
  })();

  return {
    async stop() {
      stopSignal.abort();
      clearInterval(relistTimer);
      current?.abort();
      await loop;
    },
  };
}
