import type { FeedPrice } from '../api/price-feed.ts';

/**
 * Everything `compile()` reads: the custom resources as the API server (or a manifest folder)
 * holds them, the Secrets they may reference — names and key names only, never values — and the
 * prices in force of each PriceFeed (read from its status; compile() never fetches).
 */
export interface Snapshot {
  providers: RawObject[];
  policies: RawObject[];
  secrets: SecretSummary[];
  /** The applied prices of every PriceFeed; absent or empty means every model uses spec.pricing. */
  priceFeeds?: PriceFeedPrices[];
}

/** A PriceFeed as compile() sees it: the prices in force (status.prices), nothing else. */
export interface PriceFeedPrices {
  namespace: string;
  name: string;
  prices: FeedPrice[];
}

/** A custom resource before validation: metadata is trusted, `spec` is checked by compile(). */
export interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    creationTimestamp?: string;
    uid?: string;
  };
  spec?: unknown;
}

/** A Secret as compile() sees it: which keys exist, not what they hold. */
export interface SecretSummary {
  namespace: string;
  name: string;
  keys: string[];
}
