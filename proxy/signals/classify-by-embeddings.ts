import type { Classification } from '../../core/routing/classify.ts';
import type { IndexedRoute } from '../../core/routing/route-index.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';
import type { ProxyContext } from '../proxy-context.ts';

/**
 * The tier the nearest labelled exemplars agree on, when the policy has an embeddings signal
 * and they agree enough; undefined otherwise (including on any failure), so the next signal
 * decides.
 */
export async function classifyByEmbeddings(
  route: IndexedRoute,
  input: RoutingInput,
  sensitive: boolean,
  ctx: Pick<ProxyContext, 'config' | 'embeddings'>,
): Promise<Classification | undefined> {
  const settings = route.config.classification.embeddings;
  if (settings === undefined) return undefined;
  const target = ctx.config.current?.targets.get(`${settings.provider}/${settings.model}`);
  const verdict = await ctx.embeddings.classify(route, target, input, sensitive);
  if (verdict.tier === undefined) return undefined;
  return {
    tier: verdict.tier,
    source: 'embeddings',
    preferTags: [],
    ...(verdict.confidence === undefined ? {} : { confidence: verdict.confidence }),
  };
}
