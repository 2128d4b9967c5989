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

/** One model's pricing.feedRef, with the model's static values. */
export interface FeedReference {
  namespace: string;
  feed: string;
  id: string;
  baseline: Partial<Record<FeedField, number | undefined>>;
  followContextWindow: boolean;
}

/**
 * The feed references of one ModelProvider. A provider whose spec does not parse references
 * nothing: its models are not served, so their prices do not matter.
 */
export function feedReferencesOf(provider: RawObject): FeedReference[] {
  const parsed = parseProviderSpec(provider.spec);
  if (!parsed.ok) return [];
  const namespace = provider.metadata.namespace ?? 'default';
  return parsed.spec.models.flatMap((model): FeedReference[] => {
    const ref = model.pricing.feedRef;
    if (ref === undefined) return [];
    const { feedRef: _ref, ...prices } = model.pricing;
    return [
      {
        namespace,
        feed: ref.name,
        id: ref.id,
        baseline: {
          ...prices,
          contextWindow: model.contextWindow,
          ...(model.maxOutputTokens === undefined
            ? {}
            : { maxOutputTokens: model.maxOutputTokens }),
        },
        followContextWindow: ref.followContextWindow === true,
      },
    ];
  });
}

/** The models of one PriceFeed that the given references name, sorted by id. */
export function trackedModelsFrom(
  namespace: string,
  feedName: string,
  references: readonly FeedReference[],
): TrackedModel[] {
  const byId = new Map<string, TrackedModel>();
  for (const ref of references) {
    if (ref.namespace !== namespace || ref.feed !== feedName) continue;
    const tracked = byId.get(ref.id) ?? { id: ref.id, baselines: [], followContextWindow: false };
    tracked.baselines.push(ref.baseline);
    tracked.followContextWindow ||= ref.followContextWindow;
    byId.set(ref.id, tracked);
  }
  return [...byId.values()].sort((a, b) => compareText(a.id, b.id));
}

/**
 * The models of one PriceFeed that ModelProviders in its namespace reference through
 * `pricing.feedRef`, sorted by id.
 */
export function trackedModelsOf(
  namespace: string,
  feedName: string,
  providers: readonly RawObject[],
): TrackedModel[] {
  return trackedModelsFrom(namespace, feedName, providers.flatMap(feedReferencesOf));
}
