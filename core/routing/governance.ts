import type { ProviderConfig, RouteConfig } from '../config/router-config.ts';
import type { LinearPatternSet } from '../regex/linear-regex.ts';

type Pool = NonNullable<RouteConfig['governance']>['pool'];

/**
 * True when a provider's declared data policy meets every requirement of a governance pool.
 * Unknown regions (an empty list) never satisfy a region requirement: fail closed.
 */
export function satisfiesPool(policy: ProviderConfig['dataPolicy'], pool: Pool): boolean {
  if (pool.zeroDataRetention === true && !policy.zeroDataRetention) return false;
  if (pool.trainsOnData === false && policy.trainsOnData) return false;
  if (pool.regions !== undefined) {
    const allowed = pool.regions;
    if (policy.regions.length === 0 || !policy.regions.every((r) => allowed.includes(r)))
      return false;
  }
  return true;
}

/** Values of the sensitivity header that mean "not sensitive". */
const NOT_SENSITIVE = new Set(['', 'none', 'false', '0', 'no']);

/** True when the request is sensitive: by the policy's header or by one of its patterns. */
export function isSensitive(
  governance: RouteConfig['governance'],
  patterns: Pick<LinearPatternSet, 'test'>,
  headers: Readonly<Record<string, string | undefined>>,
  allText: string,
): boolean {
  if (governance === undefined) return false;
  const value = headers[governance.sensitive.header.toLowerCase()];
  if (value !== undefined && !NOT_SENSITIVE.has(value.trim().toLowerCase())) return true;
  return patterns.test(allText);
}
