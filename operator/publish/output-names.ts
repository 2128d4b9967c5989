/** Field manager of every server-side apply the operator sends. */
export const FIELD_MANAGER = 'switchyard-operator';

/** The ConfigMap holding the RouterConfig, in the operator's namespace. */
export const CONFIG_MAP_NAME = 'switchyard-config';

/** The Secret holding the referenced API keys, in the operator's namespace. */
export const CREDENTIALS_SECRET_NAME = 'switchyard-credentials';

/** The Lease of leader election, in the operator's namespace. */
export const LEASE_NAME = 'switchyard-operator';

/** Annotations and labels the operator puts on what it publishes. */
export const ANNOTATIONS = {
  configHash: 'switchyard.dev/config-hash',
  schemaVersion: 'switchyard.dev/schema-version',
  encoding: 'switchyard.dev/encoding',
  credentialRefs: 'switchyard.dev/credential-refs',
} as const;

/** Data keys of the ConfigMap: plain JSON, or gzip when the JSON is large. */
export const CONFIG_KEYS = { json: 'config.json', gzip: 'config.json.gz' } as const;

/** Labels on every published object. */
export const PUBLISHED_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'switchyard',
  'app.kubernetes.io/component': 'router-config',
  'app.kubernetes.io/managed-by': FIELD_MANAGER,
};
