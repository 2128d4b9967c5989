import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, Watch, type KubeConfig } from '@kubernetes/client-node';

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

/** Defaults: a relist every 5 minutes, retries from 250 ms up to 10 s. */
export const DEFAULT_NAMED_WATCH_TIMING: NamedWatchTiming = {
  relistIntervalMs: 5 * 60_000,
  initialBackoffMs: 250,
  maxBackoffMs: 10_000,
};

/** What to watch and whom to tell. */
export interface NamedWatchOptions {
  kubeConfig: KubeConfig;
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
 * operator's informers, since client-node watches can end without notice: reconnect when the
 * server closes the stream, back off on errors (an unreachable API server just means retrying),
 * relist on 410 Gone and on a timer. Nothing here throws to the caller.
 */
export function watchNamedObject(options: NamedWatchOptions): NamedWatch {
  const timing = { ...DEFAULT_NAMED_WATCH_TIMING, ...options.timing };
  const api = options.kubeConfig.makeApiClient(CoreV1Api);
  const watch = new Watch(options.kubeConfig);
  const stopSignal = new AbortController();
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
    const request = { namespace: options.namespace, fieldSelector };
    const listed =
      options.resource === 'configmaps'
        ? await api.listNamespacedConfigMap(request)
        : await api.listNamespacedSecret(request);
    resourceVersion = listed.metadata?.resourceVersion ?? '';
    failures = 0;
    options.onObject(listed.items[0]);
  };

  const watchOnce = (): Promise<'closed' | 'expired' | { error: unknown }> =>
    new Promise((resolve) => {
      let expired = false;
      watch
        .watch(
          `/api/v1/namespaces/${options.namespace}/${options.resource}`,
          { fieldSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          (phase: string, object: WatchedObject & { code?: number }) => {
            if (phase === 'ERROR') {
              if (object.code === 410) expired = true;
              return;
            }
            resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
            if (phase === 'BOOKMARK') return;
            failures = 0;
            options.onObject(phase === 'DELETED' ? undefined : object);
          },
          (error: unknown) => {
            const status = (error as { statusCode?: unknown } | null)?.statusCode;
            if (expired || status === 410) resolve('expired');
            else if (error === null || error === undefined) resolve('closed');
            else if ((error as { name?: unknown }).name === 'TimeoutError') resolve('closed');
            else resolve({ error });
          },
        )
        .then(
          (controller) => {
            current = controller;
            if (stopSignal.signal.aborted) controller.abort();
          },
          (error: unknown) => resolve({ error }),
        );
    });

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
