import type { CredentialRef } from '../../core/config/router-config.ts';

/**
 * API keys by Secret reference. Values live only here, in memory; they are never logged, put in
 * metrics or echoed in errors. Replaced wholesale when the Secrets change.
 */
export class CredentialStore {
  #values = new Map<string, string>();

  /** Replaces every credential: `values` maps `namespace/secret/key` to the key's value. */
  replace(values: ReadonlyMap<string, string>): void {
    this.#values = new Map(values);
  }

  /** The value for a reference, or undefined when the Secret or key is missing. */
  get(ref: CredentialRef | undefined): string | undefined {
    if (ref === undefined) return undefined;
    return this.#values.get(credentialKey(ref.namespace, ref.secretName, ref.key));
  }
}

/** The map key of one Secret key. */
export function credentialKey(namespace: string, secretName: string, key: string): string {
  return `${namespace}/${secretName}/${key}`;
}
