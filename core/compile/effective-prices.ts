import type { ModelPriceStatus, ModelSpec } from '../api/model-provider.ts';
import type { FeedPrice } from '../api/price-feed.ts';
import type { ModelConfig } from '../config/router-config.ts';
import { namespacedName } from './object-id.ts';
import { modelConfigOf } from './provider-config.ts';
import type { PriceFeedPrices } from './snapshot.ts';

/** The prices in force of every PriceFeed, by namespace, feed name and model id. */
export type FeedPriceIndex = ReadonlyMap<string, ReadonlyMap<string, FeedPrice>>;

/** Indexes the snapshot's feed prices; a feed listed twice keeps its first copy. */
export function indexFeedPrices(feeds: readonly PriceFeedPrices[] | undefined): FeedPriceIndex {
  const index = new Map<string, Map<string, FeedPrice>>();
  for (const feed of feeds ?? []) {
    const key = namespacedName(feed);
    if (!index.has(key)) index.set(key, new Map(feed.prices.map((price) => [price.id, price])));
  }
  return index;
}

/** A model as the proxies will serve it, and (for a model with a feedRef) what status says about it. */
export interface PricedModel {
  config: ModelConfig;
  status: ModelPriceStatus | undefined;
}

/**
 * The price in force of one model: the feed's applied price when the model's pricing has a feedRef
 * and the feed has an input and an output price for it, else spec.pricing (the fallback). Fields
 * the feed does not give (cache prices, reasoning) come from spec.pricing and its defaults. With
 * followContextWindow, the feed's context window and output limit apply too (the output limit
 * never above the window). The static prices are always the fallback: a deleted feed, one that
 * never synced, or a model it stopped pricing all leave the model served at its spec price.
 */
export function pricedModel(
  namespace: string,
  model: ModelSpec,
  feeds: FeedPriceIndex,
): PricedModel {
  const base = modelConfigOf(model);
  const ref = model.pricing.feedRef;
  if (ref === undefined) return { config: base, status: undefined };
  const feedKey = namespacedName({ namespace, name: ref.name });
  const feed = feeds.get(feedKey);
  const price = feed?.get(ref.id);
  const fallback = (why: string): PricedModel => ({
    config: base,
    status: statusOf(model.name, 'Spec', ref, base, `${why}; spec.pricing is in force`),
  });
  if (feed === undefined) return fallback(`PriceFeed ${feedKey} not found`);
  if (price?.inputPerMillion === undefined || price.outputPerMillion === undefined) {
    return fallback(
      `PriceFeed ${ref.name} has no price in force for "${ref.id}" yet (see its status)`,
    );
  }
  const { pricing } = model;
  const input = price.inputPerMillion;
  const output = price.outputPerMillion;
  const fromFeed = ['inputPerMillion', 'outputPerMillion'];
  const pick = (field: keyof FeedPrice & keyof ModelConfig['pricing'], fallbackValue: number) => {
    const value = price[field];
    if (typeof value !== 'number') return fallbackValue;
    fromFeed.push(field);
    return value;
  };
  const config: ModelConfig = {
    ...base,
    pricing: {
      inputPerMillion: input,
      outputPerMillion: output,
      cachedInputPerMillion: pick('cachedInputPerMillion', pricing.cachedInputPerMillion ?? input),
      cacheWritePerMillion: pick('cacheWritePerMillion', pricing.cacheWritePerMillion ?? input),
      reasoningPerMillion: pick('reasoningPerMillion', pricing.reasoningPerMillion ?? output),
    },
  };
  if (ref.followContextWindow === true && price.contextWindow !== undefined) {
    const maxOutput = price.maxOutputTokens ?? model.maxOutputTokens ?? price.contextWindow;
    config.contextWindow = price.contextWindow;
    config.maxOutputTokens = Math.min(maxOutput, price.contextWindow);
    fromFeed.push(
      price.maxOutputTokens === undefined ? 'contextWindow' : 'contextWindow, maxOutputTokens',
    );
  }
  const message = `${fromFeed.join(', ')} from PriceFeed ${ref.name} ("${ref.id}"); the rest from spec.pricing and its defaults`;
  return { config, status: statusOf(model.name, 'PriceFeed', ref, config, message) };
}

function statusOf(
  name: string,
  source: ModelPriceStatus['source'],
  ref: { name: string; id: string },
  config: ModelConfig,
  message: string,
): ModelPriceStatus {
  return {
    name,
    source,
    feed: ref.name,
    feedModel: ref.id,
    pricing: { ...config.pricing },
    contextWindow: config.contextWindow,
    maxOutputTokens: config.maxOutputTokens,
    message,
  };
}
