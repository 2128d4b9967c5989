import type { FeedField } from '../api/price-feed.ts';
import { compareText } from '../compile/object-id.ts';
import { parseProviderSpec } from '../compile/parse-spec.ts';
import type { RawObject } from '../compile/snapshot.ts';

/** A feed model that some ModelProvider follows, and what those providers declare statically. */
export interface TrackedModel {
  id: string;
  /** The static values of each model that references this id: the guard's baseline for a first value. */
  baselines: Partial<Record<FeedField, number | undefined>>[];
  /** Whether any referencing model follows the feed's context window too. */
  followContextWindow: boolean;
}

/**
 * The models of one PriceFeed that ModelProviders in its namespace reference through
 * `pricing.feedRef`, sorted by id. Providers whose spec does not parse are left out: their models
 * are not served, so their prices do not matter.
 */
export function trackedModelsOf(
  namespace: string,
  feedName: string,
  providers: readonly RawObject[],
): TrackedModel[] {
  const byId = new Map<string, TrackedModel>();
  for (const provider of providers) {
    if ((provider.metadata.namespace ?? 'default') !== namespace) continue;
    const parsed = parseProviderSpec(provider.spec);
    if (!parsed.ok) continue;
    for (const model of parsed.spec.models) {
      const ref = model.pricing.feedRef;
      if (ref?.name !== feedName) continue;
      const tracked = byId.get(ref.id) ?? { id: ref.id, baselines: [], followContextWindow: false };
      const { feedRef: _ref, ...prices } = model.pricing;
      tracked.baselines.push({
        ...prices,
        contextWindow: model.contextWindow,
        ...(model.maxOutputTokens === undefined ? {} : { maxOutputTokens: model.maxOutputTokens }),
      });
      tracked.followContextWindow ||= ref.followContextWindow === true;
      byId.set(ref.id, tracked);
    }
  }
  return [...byId.values()].sort((a, b) => compareText(a.id, b.id));
}
