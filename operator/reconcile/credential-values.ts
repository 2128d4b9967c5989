import type { RouterConfig } from '../../core/config/router-config.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { CredentialValue } from '../publish/credentials-secret.ts';
import type { ReflectorSet } from '../watch/reflector-set.ts';
import type { SecretEntry } from '../watch/secret-entry.ts';

/**
 * The values of every credential the config references. The Secret cache keeps values of
 * referenced keys only; a key that became referenced after its Secret was cached (a provider
 * edit) is read once from the API server and kept from then on.
 */
export async function credentialValues(
  config: RouterConfig,
  secrets: ReflectorSet<SecretEntry>,
  client: KubeClient,
): Promise<CredentialValue[]> {
  const values: CredentialValue[] = [];
  for (const provider of config.providers) {
    const ref = provider.credential;
    if (ref === undefined) continue;
    const entry = secrets.get(ref.namespace, ref.secretName);
    if (entry === undefined || !entry.keys.includes(ref.key)) continue;
    let value = entry.values.get(ref.key);
    if (value === undefined) {
      value = await readKey(client, ref.namespace, ref.secretName, ref.key);
      if (value !== undefined) entry.values.set(ref.key, value);
    }
    if (value !== undefined) values.push({ ref, base64Value: value });
  }
  return values;
}

/**
 * Drops cached values of keys no provider references any more (a provider edit or deletion), so
 * the operator's memory holds referenced values only, not every value it was ever asked for.
 */
export function pruneUnreferenced(
  secrets: ReflectorSet<SecretEntry>,
  referenced: (namespace: string, name: string) => ReadonlySet<string> | undefined,
): void {
  for (const entry of secrets.values()) {
    if (entry.values.size === 0) continue;
    const keep = referenced(entry.namespace, entry.name);
    for (const key of entry.values.keys()) if (keep?.has(key) !== true) entry.values.delete(key);
  }
}

async function readKey(
  client: KubeClient,
  namespace: string,
  name: string,
  key: string,
): Promise<string | undefined> {
  try {
    const secret = await client.request<KubeObject>({
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}/secrets/${name}`,
    });
    return (secret['data'] as Record<string, string> | undefined)?.[key];
  } catch (error) {
    if (isApiStatus(error, 404)) return undefined;
    throw error;
  }
}
