// The operator → proxy contract, written down once: where the operator publishes the compiled
// RouterConfig and the referenced API keys, under which keys and annotations. The operator writes
// these objects and proxies read them; both import the names from here, so they cannot drift
// (core/config/published-config.test.ts pins an operator-encoded ConfigMap to a proxy decode).

/** The ConfigMap holding the RouterConfig, in the operator's namespace. */
export const CONFIG_MAP_NAME = 'switchyard-config';

/** The Secret holding the referenced API keys, in the operator's namespace. */
export const CREDENTIALS_SECRET_NAME = 'switchyard-credentials';

/** Data keys of the ConfigMap: plain JSON, or gzip (base64 in binaryData) when the JSON is large. */
export const CONFIG_KEYS = { json: 'config.json', gzip: 'config.json.gz' } as const;

/** Annotations the operator puts on what it publishes. */
export const ANNOTATIONS = {
  configHash: 'switchyard.dev/config-hash',
  schemaVersion: 'switchyard.dev/schema-version',
  encoding: 'switchyard.dev/encoding',
  /** On the credentials Secret: each data key → `namespace/secret/key`. */
  credentialRefs: 'switchyard.dev/credential-refs',
} as const;
