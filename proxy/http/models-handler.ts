import type { ProxyContext } from '../proxy-context.ts';

/** GET /v1/models: every policy alias, then every concrete provider/model id. */
export function listModels(ctx: ProxyContext): { object: 'list'; data: Record<string, unknown>[] } {
  const index = ctx.config.current;
  if (index === undefined) return { object: 'list', data: [] };
  const aliases = [...index.routes.keys()].map((id) => ({
    id,
    object: 'model',
    created: 0,
    owned_by: 'switchyard',
  }));
  const targets = [...index.targets.values()].map((t) => ({
    id: t.key,
    object: 'model',
    created: 0,
    owned_by: t.provider.name,
  }));
  return { object: 'list', data: [...aliases, ...targets] };
}
