/**
 * Everything `compile()` reads: the custom resources as the API server (or a manifest folder)
 * holds them, and the Secrets they may reference — names and key names only, never values.
 */
export interface Snapshot {
  providers: RawObject[];
  policies: RawObject[];
  secrets: SecretSummary[];
}

/** A custom resource before validation: metadata is trusted, `spec` is checked by compile(). */
export interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    creationTimestamp?: string;
    uid?: string;
  };
  spec?: unknown;
}

/** A Secret as compile() sees it: which keys exist, not what they hold. */
export interface SecretSummary {
  namespace: string;
  name: string;
  keys: string[];
}
