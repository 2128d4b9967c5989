import type { ConfigStore } from '../config/config-store.ts';
import type { CredentialStore } from '../config/credential-store.ts';
import { stdoutSink, type LogSink } from '../log/request-log.ts';
import { resolveClusterAccess, type ClusterAccess } from './cluster-access.ts';
import { decodeConfig } from './decode-config.ts';
import { KubeRest } from './kube-rest.ts';
import { decodeCredentials } from './decode-credentials.ts';
import {
  watchNamedObject,
  type NamedWatchTiming,
  type WatchedObject,
} from './named-object-watch.ts';
import { CONFIG_MAP_NAME, CREDENTIALS_SECRET_NAME } from '../../core/config/published-names.ts';

/** Something the cluster watcher did; for logs and tests. Never carries a secret value. */
export type ClusterWatchEvent =
  | { type: 'config-loaded'; hash: string; changed: boolean }
  | { type: 'config-rejected'; error: string; keptHash: string | undefined }
  | { type: 'config-missing'; keptHash: string | undefined }
  | { type: 'credentials-loaded'; count: number; unmapped: number }
  | { type: 'credentials-missing' }
  | { type: 'watch-error'; resource: 'configmap' | 'secret'; error: string; retryInMs: number };

/** How to watch the published config. */
export interface ClusterWatchOptions {
  /** Kubeconfig file; default: KUBECONFIG, ~/.kube/config, else the in-cluster service account. */
  kubeconfig?: string;
  /** How to reach the API server, instead of resolving it from `kubeconfig` (tests). */
  access?: ClusterAccess;
  /** Namespace the operator publishes to. */
  namespace: string;
  store: ConfigStore;
  credentials: CredentialStore;
  /** Called for every event, after logging. */
  onEvent?: (event: ClusterWatchEvent) => void;
  /** Where log lines go; default JSON on stdout, like the request log. */
  log?: LogSink;
  /** Relist period and retry backoff. */
  timing?: Partial<NamedWatchTiming>;
}

/** A running cluster watcher. */
export interface ClusterWatch {
  /** Resolves once the first config has loaded (the proxy is ready from then on). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Cluster mode of `switchyard serve`: follows the ConfigMap `switchyard-config` and the Secret
 * `switchyard-credentials` that the operator publishes, swapping the config and the credentials
 * in place without a restart. A config that fails to decode or validate is logged and the last
 * good one keeps serving; a deleted ConfigMap or an unreachable API server changes nothing
 * either — the proxy serves what it has and the watches retry. The first config is loaded only
 * after the credentials Secret was read once, so a proxy turns ready with its keys in place.
 */
export function watchClusterConfig(options: ClusterWatchOptions): ClusterWatch {
  const rest = new KubeRest(options.access ?? resolveClusterAccess(options.kubeconfig));
  const sink = options.log ?? stdoutSink;
  const emit = (event: ClusterWatchEvent): void => {
    const level =
      event.type === 'config-loaded' || event.type === 'credentials-loaded' ? 'info' : 'warn';
    if (event.type !== 'config-loaded' || event.changed) {
      sink({ time: new Date().toISOString(), level, msg: `cluster ${event.type}`, ...event });
    }
    options.onEvent?.(event);
  };

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let credentialsRead = false;
  let pendingConfig: WatchedObject | undefined;

  const loadConfig = (object: WatchedObject | undefined): void => {
    if (!credentialsRead) {
      pendingConfig = object;
      return;
    }
    const keptHash = options.store.current?.config.configHash;
    if (object === undefined) {
      emit({ type: 'config-missing', keptHash });
      return;
    }
    let candidate: unknown;
    try {
      candidate = decodeConfig(object);
    } catch (error) {
      emit({ type: 'config-rejected', error: (error as Error).message, keptHash });
      return;
    }
    const result = options.store.load(candidate);
    if (!result.ok) {
      emit({ type: 'config-rejected', error: result.error, keptHash: result.keptHash });
      return;
    }
    emit({ type: 'config-loaded', hash: result.hash, changed: result.changed });
    markReady();
  };

  const loadCredentials = (object: WatchedObject | undefined): void => {
    if (object === undefined) {
      // Keep the keys we have: a deleted Secret is more likely an accident than a revocation,
      // and the operator recreates it on its next reconcile.
      emit({ type: 'credentials-missing' });
    } else {
      const { values, unmapped } = decodeCredentials(object);
      options.credentials.replace(values);
      emit({ type: 'credentials-loaded', count: values.size, unmapped: unmapped.length });
    }
    if (!credentialsRead) {
      credentialsRead = true;
      if (pendingConfig !== undefined) loadConfig(pendingConfig);
      pendingConfig = undefined;
    }
  };

  const common = { rest, namespace: options.namespace, timing: options.timing ?? {} };
  const onError = (resource: 'configmap' | 'secret') => (error: unknown, retryInMs: number) =>
    emit({ type: 'watch-error', resource, error: errorLine(error), retryInMs });
  const watches = [
    watchNamedObject({
      ...common,
      resource: 'secrets',
      name: CREDENTIALS_SECRET_NAME,
      onObject: loadCredentials,
      onError: onError('secret'),
    }),
    watchNamedObject({
      ...common,
      resource: 'configmaps',
      name: CONFIG_MAP_NAME,
      onObject: loadConfig,
      onError: onError('configmap'),
    }),
  ];

  return {
    ready,
    async stop() {
      await Promise.all(watches.map((watch) => watch.stop()));
      await rest.close();
    },
  };
}

/** One line about a failed request: status code and message, never a body. */
function errorLine(error: unknown): string {
  const code = (error as { code?: unknown; statusCode?: unknown }).code;
  const status = (error as { statusCode?: unknown }).statusCode;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const prefix =
    typeof code === 'number'
      ? `HTTP ${code}: `
      : typeof status === 'number'
        ? `HTTP ${status}: `
        : '';
  return `${prefix}${message?.slice(0, 300) ?? ''}`;
}
