import type { ModelProviderSpec } from '../api/model-provider.ts';
import type { RoutePolicySpec } from '../api/route-policy.ts';

/** A governance pool: the data policy a provider must meet to receive sensitive requests. */
export type Pool = NonNullable<RoutePolicySpec['governance']>['pool'];
/** A provider's declared data policy. */
export type DataPolicy = ModelProviderSpec['dataPolicy'];

/**
 * Whether a provider's data policy meets every requirement of a pool. A provider with no declared
 * regions meets no region requirement: unknown must not pass for compliant.
 */
export function satisfiesPool(policy: DataPolicy, pool: Pool): boolean {
  if (pool.zeroDataRetention === true && !policy.zeroDataRetention) return false;
  if (pool.trainsOnData === false && policy.trainsOnData) return false;
  if (pool.regions !== undefined) {
    const allowed = pool.regions;
    if (policy.regions.length === 0) return false;
    if (!policy.regions.every((region) => allowed.includes(region))) return false;
  }
  return true;
}

/** The pool as written, e.g. `{zeroDataRetention: true, regions: [eu]}`. */
export function describePool(pool: Pool): string {
  const parts: string[] = [];
  if (pool.zeroDataRetention !== undefined)
    parts.push(`zeroDataRetention: ${pool.zeroDataRetention}`);
  if (pool.trainsOnData !== undefined) parts.push(`trainsOnData: ${pool.trainsOnData}`);
  if (pool.regions !== undefined) parts.push(`regions: [${pool.regions.join(', ')}]`);
  return `{${parts.join(', ')}}`;
}

/** What a provider's dataPolicy must declare to satisfy the pool, in words. */
export function poolRequirements(pool: Pool): string {
  const parts: string[] = [];
  if (pool.zeroDataRetention === true) parts.push('zeroDataRetention: true');
  if (pool.trainsOnData === false) parts.push('trainsOnData: false');
  if (pool.regions !== undefined) parts.push(`regions only among [${pool.regions.join(', ')}]`);
  return parts.length === 0 ? 'any data policy' : parts.join(', ');
}
