import { compareAge, type ObjectId } from './object-id.ts';

/**
 * Grants each contested key (a provider name, a policy alias) to its oldest claimant, then by
 * namespace/name — Gateway API's rule, which keeps the object that was serving first serving
 * when a newcomer collides with it. Returns key → winner.
 */
export function grantClaims<T extends { id: ObjectId }>(
  claimants: readonly T[],
  keyOf: (claimant: T) => string,
): Map<string, T> {
  const owners = new Map<string, T>();
  for (const claimant of claimants) {
    const key = keyOf(claimant);
    const current = owners.get(key);
    if (current === undefined || compareAge(claimant.id, current.id) < 0) owners.set(key, claimant);
  }
  return owners;
}
