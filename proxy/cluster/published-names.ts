// The names the operator publishes under. They mirror operator/publish/output-names.ts: the two
// sides never import each other, and this short list is the contract between them (see
// docs/operator.md), so it is written down on both sides rather than shared through core/.

/** The ConfigMap holding the RouterConfig. */
export const CONFIG_MAP_NAME = 'switchyard-config';

/** The Secret holding the referenced API keys. */
export const CREDENTIALS_SECRET_NAME = 'switchyard-credentials';

/** Data keys of the ConfigMap: plain JSON, or gzip (base64 in binaryData) when large. */
export const CONFIG_KEYS = { json: 'config.json', gzip: 'config.json.gz' } as const;

/** Annotation of the credentials Secret mapping each data key to `namespace/secret/key`. */
export const CREDENTIAL_REFS_ANNOTATION = 'switchyard.dev/credential-refs';
