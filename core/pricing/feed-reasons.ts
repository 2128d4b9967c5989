import type { PriceFeedConditionType } from '../api/price-feed.ts';

/**
 * The reasons of a PriceFeed's conditions: CamelCase constants, stable for alerts and scripts.
 * The first of each list is the "all good" reason.
 */
export const PRICE_FEED_REASONS = {
  Synced: [
    'Synced',
    'FetchFailed',
    'HTTPError',
    'TooLarge',
    'Malformed',
    'SecretNotFound',
    'SecretKeyNotFound',
    'InvalidSpec',
  ],
  PricesApplied: ['Applied', 'ChangesHeld', 'NotSynced'],
} as const satisfies Record<PriceFeedConditionType, readonly string[]>;

/** Why a sync failed: a Synced reason other than Synced. */
export type SyncFailureReason = Exclude<(typeof PRICE_FEED_REASONS)['Synced'][number], 'Synced'>;

/** A reason of a PriceFeed condition. */
export type PriceFeedReason = (typeof PRICE_FEED_REASONS)[PriceFeedConditionType][number];

/** What each reason means, for docs/api.md (typed, so a new reason fails tsc until documented). */
export const PRICE_FEED_REASON_MEANINGS: Record<PriceFeedReason, string> = {
  Synced:
    'The last fetch succeeded (or the feed answered 304 Not Modified) and the document parsed.',
  FetchFailed:
    'The feed could not be reached, or did not answer within timeoutSeconds. Nothing changed: the prices in force stay.',
  HTTPError:
    'The feed answered with a status other than 200 or 304 (a redirect included: set spec.url to the final address). Nothing changed.',
  TooLarge: 'The document is larger than maxSizeMiB; it was refused unread. Nothing changed.',
  Malformed:
    'The document is not JSON, or not in the declared format (no model could be read). Nothing changed.',
  SecretNotFound: 'spec.auth.secretRef.name names a Secret that does not exist in the namespace.',
  SecretKeyNotFound: 'The Secret exists but has no key spec.auth.secretRef.key.',
  InvalidSpec:
    'The spec breaks a rule of this reference (possible only for objects that did not pass through the API server).',
  Applied:
    'Every change the feed made is applied (refused values aside: see status.refusedChanges).',
  ChangesHeld:
    'Some changes move a value by more than maxChangeFactor and wait in status.heldChanges; the message holds the kubectl annotate line that approves them.',
  NotSynced: 'No sync has succeeded yet, so no price from this feed is in force.',
};
