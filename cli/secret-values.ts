import type { SecretDocument } from '../core/compile/manifests.ts';

/**
 * Secret values keyed `namespace/secret/key`, the form `CredentialStore.replace` takes. `data` is
 * base64-decoded; `stringData` wins over `data` for the same key, as the API server merges them.
 */
export function secretValuesOf(secrets: readonly SecretDocument[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const secret of secrets) {
    const prefix = `${secret.namespace}/${secret.name}/`;
    for (const [key, encoded] of Object.entries(secret.data)) {
      values.set(prefix + key, Buffer.from(encoded, 'base64').toString('utf8'));
    }
    for (const [key, value] of Object.entries(secret.stringData)) values.set(prefix + key, value);
  }
  return values;
}
