import type { IncomingHttpHeaders } from 'node:http';
import { directSensitivityRefusal } from '../../core/routing/governance.ts';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';
import { ProxyError } from '../errors/proxy-error.ts';
import type { ProxyContext } from '../proxy-context.ts';

/**
 * Refuses (422 governance_no_target, a policy error) a request that names a concrete model
 * outside a governance pool while carrying that pool's sensitivity header: naming a model
 * directly must not be a way around the pool.
 */
export function refuseSensitiveDirect(
  target: ResolvedTarget,
  headers: IncomingHttpHeaders | Readonly<Record<string, string | undefined>>,
  ctx: ProxyContext,
): void {
  const index = ctx.config.current;
  if (index === undefined) return;
  const reason = directSensitivityRefusal(index, target, headers);
  if (reason !== undefined)
    throw new ProxyError('GOVERNANCE_NO_TARGET', reason, { param: 'model' });
}
