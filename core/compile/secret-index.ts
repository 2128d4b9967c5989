import { namespacedName } from './object-id.ts';
import type { SecretSummary } from './snapshot.ts';

/** The key names of every Secret, by `namespace/name`. */
export type SecretIndex = ReadonlyMap<string, ReadonlySet<string>>;

/** Indexes Secret summaries; a Secret listed twice contributes the union of its keys. */
export function indexSecrets(secrets: readonly SecretSummary[]): SecretIndex {
  const index = new Map<string, Set<string>>();
  for (const secret of secrets) {
    const key = namespacedName(secret);
    const keys = index.get(key) ?? new Set<string>();
    for (const name of secret.keys) keys.add(name);
    index.set(key, keys);
  }
  return index;
}
