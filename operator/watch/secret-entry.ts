import type { KubeObject } from '../kube/kube-object.ts';

/**
 * A Secret as the operator keeps it: every key name (compile() needs them to report
 * SecretKeyNotFound) but values only of the keys a ModelProvider references, so the operator's
 * memory never holds the rest of the cluster's secrets.
 */
export interface SecretEntry {
  namespace: string;
  name: string;
  /** Sorted key names. */
  keys: string[];
  /** base64 values of referenced keys only. */
  values: Map<string, string>;
}

/** Which keys of a Secret are referenced: returns undefined when none are. */
export type ReferencedKeys = (namespace: string, name: string) => ReadonlySet<string> | undefined;

/** Reduces a Secret to a SecretEntry, keeping values of referenced keys only. */
export function secretEntryOf(object: KubeObject, referenced: ReferencedKeys): SecretEntry {
  const namespace = object.metadata.namespace ?? '';
  const name = object.metadata.name;
  const data = (object['data'] ?? {}) as Record<string, string>;
  const wanted = referenced(namespace, name);
  const values = new Map<string, string>();
  if (wanted !== undefined) {
    for (const key of wanted) {
      const value = data[key];
      if (value !== undefined) values.set(key, value);
    }
  }
  return { namespace, name, keys: Object.keys(data).sort(), values };
}

/** Whether two entries hold the same key names and kept values. */
export function sameSecretEntry(a: SecretEntry, b: SecretEntry): boolean {
  if (a.keys.length !== b.keys.length || a.values.size !== b.values.size) return false;
  if (a.keys.some((key, index) => key !== b.keys[index])) return false;
  for (const [key, value] of a.values) if (b.values.get(key) !== value) return false;
  return true;
}
