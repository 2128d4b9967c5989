import type { ProviderConfig, RouteConfig } from '../config/router-config.ts';
import { describePool } from '../compile/pool.ts';
import type { LinearPatternSet } from '../regex/linear-regex.ts';
import type { ResolvedTarget, RouteIndex } from './route-index.ts';

type Governance = NonNullable<RouteConfig['governance']>;
type Pool = Governance['pool'];

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

/** Request headers by lower-case name, as node:http or the routing input hold them. */
type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Values of the sensitivity header that mean "not sensitive". */
const NOT_SENSITIVE = new Set(['', 'none', 'false', '0', 'no']);

/** True when the request carries the policy's sensitivity header with a value meaning "yes". */
export function markedSensitive(governance: Governance, headers: Headers): boolean {
  const raw = headers[governance.sensitive.header.toLowerCase()];
  const value = Array.isArray(raw) ? raw.join(', ') : (raw as string | undefined);
  return value !== undefined && !NOT_SENSITIVE.has(value.trim().toLowerCase());
}

/**
 * True when the request is sensitive: by the policy's header or by one of its patterns. `text` is
 * what the patterns read, every forwarded string (`forwardedStrings`), or a function computing
 * it only when needed; undefined means there was too much to scan, which counts as sensitive.
 */
export function isSensitive(
  governance: RouteConfig['governance'],
  patterns: Pick<LinearPatternSet, 'test' | 'size'>,
  headers: Readonly<Record<string, string | undefined>>,
  text: string | undefined | (() => string | undefined),
): boolean {
  if (governance === undefined) return false;
  if (markedSensitive(governance, headers)) return true;
  if (patterns.size === 0) return false;
  const scanned = typeof text === 'function' ? text() : text;
  return scanned === undefined || patterns.test(scanned);
}

/**
 * Why a request naming a concrete `provider/model` may not go there, or undefined when it may.
 * A client marking a request sensitive with a policy's header is held to that policy's pool
 * even when it names a model directly: every policy using that header whose pool the target's
 * provider does not satisfy refuses it, rather than routing it outside the pool.
 */
export function directSensitivityRefusal(
  index: RouteIndex,
  target: ResolvedTarget,
  headers: Headers,
): string | undefined {
  for (const route of index.routes.values()) {
    const governance = route.config.governance;
    if (governance === undefined || !markedSensitive(governance, headers)) continue;
    if (satisfiesPool(target.provider.dataPolicy, governance.pool)) continue;
    const { namespace, policy, alias } = route.config;
    return (
      `the request is marked sensitive (${governance.sensitive.header}) and ${target.key} is outside ` +
      `the governance pool ${describePool(governance.pool)} of RoutePolicy ${namespace}/${policy}; ` +
      `send model "${alias}" to keep it inside the pool, or name a model whose provider satisfies it`
    );
  }
  return undefined;
}
