import { API_GROUP } from '../../core/api/common.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { Logger } from '../log/logger.ts';
import { CONFIG_MAP_NAME, CREDENTIALS_SECRET_NAME } from '../publish/output-names.ts';
import { ReferenceIndex } from './reference-index.ts';
import { Reflector, type ReflectorTiming, type RestartReason } from './reflector.ts';
import { ReflectorSet } from './reflector-set.ts';
import { sameSecretEntry, secretEntryOf, type SecretEntry } from './secret-entry.ts';

/** The served version of the Switchyard kinds the operator watches. */
export const CRD_VERSION = 'v1alpha1';

/** Everything the operator watches. */
export interface Sources {
  providers: ReflectorSet<KubeObject>;
  policies: ReflectorSet<KubeObject>;
  /** PriceFeeds, status included (status.prices is a compile() input). */
  priceFeeds: ReflectorSet<KubeObject>;
  secrets: ReflectorSet<SecretEntry>;
  /** The operator's own ConfigMap and Secret, to skip writes that would change nothing. */
  published: { configMap: Reflector<KubeObject>; credentials: Reflector<KubeObject> };
  references: ReferenceIndex;
  /** Starts the providers first, so Secret values are filtered by a complete reference index. */
  start(): Promise<void>;
  /** Resolves once every source has listed once. */
  synced(): Promise<void>;
  readonly hasSynced: boolean;
  stop(): Promise<void>;
}

/** How to build the sources. */
export interface SourcesOptions {
  client: KubeClient;
  log: Logger;
  /** The operator's namespace, where it publishes. */
  namespace: string;
  /** Namespaces to watch; undefined watches all. */
  watchNamespaces: readonly string[] | undefined;
  timing: Partial<ReflectorTiming>;
  /** Called whenever an input changed (providers, policies, price feeds, Secrets). */
  onInputChange: () => void;
  /** Called whenever what the price feed sync reads changed (price feeds, providers). */
  onFeedInputChange?: () => void;
  /** Called whenever a published object changed (someone else edited or deleted it). */
  onPublishedChange: () => void;
  onRestart: (resource: string, reason: RestartReason) => void;
}

/** Builds the reflectors; nothing runs until start(). */
export function createSources(options: SourcesOptions): Sources {
  const { client, log, namespace, watchNamespaces, timing } = options;
  const scopes: readonly (string | undefined)[] = watchNamespaces ?? [undefined];
  // The index reads the providers' cache, which is created below.
  const references = new ReferenceIndex(() => providers.values());

  const customResources = (
    plural: string,
    onChange: () => void,
    absentAsEmpty = false,
  ): ReflectorSet<KubeObject> =>
    new ReflectorSet(
      scopes.map(
        (scope) =>
          new Reflector<KubeObject>({
            resource: plural,
            client,
            log,
            timing,
            path: `/apis/${API_GROUP}/${CRD_VERSION}${scopePath(scope)}/${plural}`,
            transform: slimObject,
            equals: sameExceptLive,
            onChange,
            onRestart: (reason) => options.onRestart(plural, reason),
            absentAsEmpty,
          }),
      ),
    );

  const providers = customResources('modelproviders', () => {
    references.invalidate();
    options.onInputChange();
    options.onFeedInputChange?.();
  });
  const policies = customResources('routepolicies', options.onInputChange);
  // An operator upgraded by `helm upgrade` may run before anyone installs the PriceFeed CRD (Helm
  // never adds CRDs on upgrade): without it, there are simply no feeds.
  const priceFeeds = customResources(
    'pricefeeds',
    () => {
      options.onInputChange();
      options.onFeedInputChange?.();
    },
    true,
  );
  const secrets = new ReflectorSet(
    scopes.map(
      (scope) =>
        new Reflector<SecretEntry>({
          resource: 'secrets',
          client,
          log,
          timing,
          path: `/api/v1${scopePath(scope)}/secrets`,
          transform: (object) =>
            isOwnCredentials(object, namespace)
              ? undefined
              : secretEntryOf(object, (ns, name) => references.keysOf(ns, name)),
          equals: sameSecretEntry,
          onChange: options.onInputChange,
          onRestart: (reason) => options.onRestart('secrets', reason),
        }),
    ),
  );
  const own = (resource: 'configmaps' | 'secrets', name: string): Reflector<KubeObject> =>
    new Reflector<KubeObject>({
      resource: `published-${resource}`,
      client,
      log,
      timing,
      path: `/api/v1/namespaces/${namespace}/${resource}`,
      // With resourceNames in RBAC, list and watch are allowed only with this field selector.
      fieldSelector: `metadata.name=${name}`,
      transform: slimObject,
      equals: sameVersion,
      onChange: options.onPublishedChange,
      onRestart: (reason) => options.onRestart(`published-${resource}`, reason),
    });
  const published = {
    configMap: own('configmaps', CONFIG_MAP_NAME),
    credentials: own('secrets', CREDENTIALS_SECRET_NAME),
  };
  const all = [
    providers,
    policies,
    priceFeeds,
    secrets,
    published.configMap,
    published.credentials,
  ];

  return {
    providers,
    policies,
    priceFeeds,
    secrets,
    published,
    references,
    async start() {
      providers.start();
      policies.start();
      priceFeeds.start();
      published.configMap.start();
      published.credentials.start();
      await providers.synced();
      secrets.start();
    },
    async synced() {
      await Promise.all(all.map((source) => source.synced()));
    },
    get hasSynced() {
      return all.every((source) => source.hasSynced);
    },
    async stop() {
      await Promise.all(all.map((source) => source.stop()));
    },
  };
}

function scopePath(namespace: string | undefined): string {
  return namespace === undefined ? '' : `/namespaces/${namespace}`;
}

function isOwnCredentials(object: KubeObject, namespace: string): boolean {
  return (
    object.metadata.namespace === namespace && object.metadata.name === CREDENTIALS_SECRET_NAME
  );
}

/** Drops managedFields: they are large and the operator never reads them. */
function slimObject(object: KubeObject): KubeObject {
  const { managedFields: _managedFields, ...metadata } =
    object.metadata as KubeObject['metadata'] & {
      managedFields?: unknown;
    };
  return { ...object, metadata };
}

/**
 * True when two versions of a custom resource differ at most in status.live, which the operator's
 * live lane writes every few seconds: such an update refreshes the cache but triggers no
 * reconcile (compile() and the conditions do not read it), so live writes cannot keep the
 * reconciler busy.
 */
function sameExceptLive(a: KubeObject, b: KubeObject): boolean {
  if (sameVersion(a, b)) return true;
  return canonicalJson(withoutLive(a)) === canonicalJson(withoutLive(b));
}

function withoutLive(object: KubeObject): unknown {
  const { resourceVersion: _version, ...metadata } = object.metadata;
  const status = object['status'] as Record<string, unknown> | undefined;
  const { live: _live, ...rest } = status ?? {};
  return { ...object, metadata, status: rest };
}

function sameVersion(a: KubeObject, b: KubeObject): boolean {
  return a.metadata.resourceVersion === b.metadata.resourceVersion;
}
