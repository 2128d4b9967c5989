import type { RoutePolicySpec } from '../api/route-policy.ts';
import type { RouteConfig } from '../config/router-config.ts';
import type { ProviderDirectory } from './outcome.ts';
import { resolveTarget, type UnresolvedRef } from './resolve-targets.ts';

/**
 * The embeddings signal as the proxies run it, when its model resolves to one with the
 * embeddings capability; otherwise it is dropped (reported like an unresolved target) and the
 * route is served without it, as with an unresolved classifier.
 */
export function resolveEmbeddingsSignal(
  namespace: string,
  spec: RoutePolicySpec,
  providers: ProviderDirectory,
  unresolved: UnresolvedRef[],
): RouteConfig['classification']['embeddings'] {
  const signal = spec.classification.embeddings;
  if (signal === undefined) return undefined;
  const { target, exemplars, ...settings } = signal;
  const result = resolveTarget(namespace, target, providers, 'embeddings');
  if ('reason' in result) {
    unresolved.push({ ...result, path: 'classification.embeddings.target', target });
    return undefined;
  }
  return {
    provider: target.provider,
    model: target.model,
    exemplars: exemplars.map((e) => ({ text: e.text, tier: e.tier })),
    ...settings,
  };
}
