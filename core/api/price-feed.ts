import { z } from 'zod';
import { API_VERSION, condition, objectMeta, objectName } from './common.ts';
import { listMap, withRules } from './schema-kit.ts';

/** Document formats a PriceFeed can read. */
export const PRICE_FEED_FORMATS = ['openrouter', 'litellm'] as const;
/** A price feed document format. */
export type PriceFeedFormat = (typeof PRICE_FEED_FORMATS)[number];

/**
 * The annotation that approves held-back changes: its value must equal `status.heldChangesDigest`,
 * so an approval covers exactly the changes that were shown, never a later set.
 */
export const APPROVE_PRICES_ANNOTATION = 'switchyard.dev/approve-prices';

/** The two condition types a PriceFeed reports. */
export const PRICE_FEED_CONDITION_TYPES = ['Synced', 'PricesApplied'] as const;
/** A PriceFeed condition type. */
export type PriceFeedConditionType = (typeof PRICE_FEED_CONDITION_TYPES)[number];

/** The price and context fields a feed supplies for one model, as stored in status. */
export const PRICE_FIELDS = [
  'inputPerMillion',
  'outputPerMillion',
  'cachedInputPerMillion',
  'cacheWritePerMillion',
  'reasoningPerMillion',
] as const;
/** The token-limit fields a feed supplies, followed only when a model opts in. */
export const CONTEXT_FIELDS = ['contextWindow', 'maxOutputTokens'] as const;
/** Every field a feed can change. */
export const FEED_FIELDS = [...PRICE_FIELDS, ...CONTEXT_FIELDS] as const;
/** One field a feed can change. */
export type FeedField = (typeof FEED_FIELDS)[number];

/** Loopback and in-cluster hosts, where plain http may carry a credential. */
const LOCAL_HTTP_URL =
  '^http://(localhost|127\\.0\\.0\\.1|\\[::1\\]|[A-Za-z0-9.-]+\\.svc(\\.cluster\\.local)?)(:[0-9]+)?(/.*)?$';

const secretKeyRef = z
  .strictObject({
    name: objectName.meta({ description: "name of a Secret in the PriceFeed's namespace." }),
    key: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z0-9]+$/)
      .default('token')
      .meta({ description: 'key in the Secret whose value is the credential. Defaults to token.' }),
  })
  .meta({
    description:
      'secretRef names the Secret key holding the credential. The value is sent to the feed only, never written to status, Events, logs or metrics.',
  });

const auth = z
  .strictObject({
    secretRef: secretKeyRef,
    header: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9-]+$/)
      .default('Authorization')
      .meta({
        description: 'header that carries the credential. Defaults to Authorization.',
      }),
    scheme: z
      .string()
      .max(32)
      .regex(/^[A-Za-z0-9-]*$/)
      .default('Bearer')
      .meta({
        description:
          'scheme written before the credential ("Bearer <value>"); "" sends the value alone (e.g. for an x-api-key header). Defaults to Bearer.',
      }),
  })
  .meta({
    description:
      'auth sends a credential from a Secret with every fetch. Omit for public feeds such as OpenRouter /api/v1/models.',
  });

/** The spec of a PriceFeed: where a price list lives, how often to read it, and the guard. */
export const priceFeedSpec = withRules(
  z.strictObject({
    url: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s/?#]+([/?#]\S*)?$/)
      .meta({
        description:
          'url of the feed document, http or https, fetched by the operator only (proxies never fetch). Redirects are not followed.',
      }),
    format: z.enum(PRICE_FEED_FORMATS).meta({
      description:
        'format of the document. Valid values: openrouter (the /api/v1/models document: per-token price strings, context_length), litellm (model_prices_and_context_window.json: input_cost_per_token etc.).',
    }),
    intervalMinutes: z.int().min(1).max(10080).default(60).meta({
      description:
        'intervalMinutes between fetches (a failed fetch is retried sooner, with backoff). Defaults to 60.',
    }),
    timeoutSeconds: z.int().min(1).max(300).default(30).meta({
      description:
        'timeoutSeconds a fetch may take, connection to last byte; a slower fetch fails and changes nothing. Defaults to 30.',
    }),
    maxSizeMiB: z.int().min(1).max(64).default(16).meta({
      description:
        'maxSizeMiB is the largest document accepted, in MiB; a larger one is refused unread. Defaults to 16 (the public feeds are 1-2 MiB).',
    }),
    maxChangeFactor: z.number().gt(1).max(1000).default(3).meta({
      description:
        'maxChangeFactor is the largest factor by which a price (or context window) may move in one sync and still be applied unattended; a larger move (up or down) is held back until approved. Above 1. Defaults to 3.',
    }),
    auth: auth.optional(),
  }),
  [
    {
      rule: `!has(self.auth) || self.url.startsWith('https://') || self.url.matches('${LOCAL_HTTP_URL.replaceAll('\\', '\\\\')}')`,
      message:
        'a credential is sent over https only (or plain http to localhost or a .svc service inside the cluster); use an https url',
      fieldPath: '.url',
      holds: (s) =>
        s.auth === undefined ||
        s.url.startsWith('https://') ||
        new RegExp(LOCAL_HTTP_URL).test(s.url),
    },
    {
      rule: 'self.timeoutSeconds < self.intervalMinutes * 60',
      message: 'timeoutSeconds must be shorter than intervalMinutes',
      fieldPath: '.timeoutSeconds',
      holds: (s) => s.timeoutSeconds < s.intervalMinutes * 60,
    },
  ],
).meta({
  description:
    'PriceFeedSpec says where a price list lives, how often the operator reads it, and how far a price may move before a human approves it.',
});

/** A PriceFeed's spec, defaults applied. */
export type PriceFeedSpec = z.output<typeof priceFeedSpec>;

const usd = (what: string) =>
  z
    .number()
    .min(0)
    .max(100000)
    .optional()
    .meta({ description: `${what} in USD per million tokens.` });
const tokens = (what: string) =>
  z.int().min(1).max(100000000).optional().meta({ description: what });
const feedField = z.enum(FEED_FIELDS).meta({
  description:
    'field that changes: inputPerMillion, outputPerMillion, cachedInputPerMillion, cacheWritePerMillion, reasoningPerMillion, contextWindow or maxOutputTokens.',
});
const modelId = z
  .string()
  .min(1)
  .max(256)
  .meta({ description: 'id of the model in the feed, e.g. openai/gpt-4o.' });
const time = (description: string) => z.string().max(64).meta({ description, format: 'date-time' });

/** The price a feed set for one model, as applied (the fields the feed supplied and the guard let through). */
export const feedPrice = z
  .strictObject({
    id: modelId,
    inputPerMillion: usd('inputPerMillion: price of input tokens'),
    outputPerMillion: usd('outputPerMillion: price of output tokens'),
    cachedInputPerMillion: usd('cachedInputPerMillion: price of input tokens read from cache'),
    cacheWritePerMillion: usd('cacheWritePerMillion: price of input tokens written to cache'),
    reasoningPerMillion: usd('reasoningPerMillion: price of reasoning tokens'),
    contextWindow: tokens('contextWindow the feed gives (prompt + output tokens).'),
    maxOutputTokens: tokens('maxOutputTokens the feed gives.'),
    updatedAt: time('updatedAt is when one of these values last changed (RFC 3339).').optional(),
  })
  .meta({ description: 'The values in force for one feed model.' });
/** A price as applied from a feed. */
export type FeedPrice = z.output<typeof feedPrice>;

const changeShape = {
  id: modelId,
  field: feedField,
  from: z.number().min(0).optional().meta({
    description: 'from is the value in force before; absent when the feed sets it first.',
  }),
  to: z.number().min(0).meta({ description: 'to is the value the feed gives.' }),
};

/** One applied change, newest first in status.appliedChanges. */
export const appliedChange = z
  .strictObject({
    ...changeShape,
    time: time('time the change was applied (RFC 3339).'),
    approved: z.boolean().optional().meta({
      description: 'approved is true when the change was held back and applied by approval.',
    }),
  })
  .meta({ description: 'A change the operator applied.' });
/** A change as recorded in status.appliedChanges. */
export type AppliedChange = z.output<typeof appliedChange>;

/** One change held back for approval. */
export const heldChange = z
  .strictObject({
    ...changeShape,
    factor: z.number().min(0).optional().meta({
      description:
        'factor by which the value would move (at least 1, up or down); absent for a first value checked against spec.pricing.',
    }),
  })
  .meta({
    description:
      "A change held back because one of its model's fields moves by more than maxChangeFactor; every field of that model waits together.",
  });
/** A change waiting for approval. */
export type HeldChange = z.output<typeof heldChange>;

/** Why the feed's value for a field is never applied, approval or not. */
export const REFUSAL_REASONS = ['Zero', 'Missing', 'Invalid', 'NotListed'] as const;
/** A refusal reason. */
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** One value the guard refused: the value in force stays. */
export const refusedChange = z
  .strictObject({
    id: modelId,
    field: feedField.optional(),
    reason: z.enum(REFUSAL_REASONS).meta({
      description:
        'reason: Zero (the feed gives 0), Missing (it gives no value where it gave one before), Invalid (not a number >= 0), NotListed (the feed no longer lists the model).',
    }),
  })
  .meta({ description: 'A value the feed gave that is never applied; the value in force stays.' });
/** A refused value. */
export type RefusedChange = z.output<typeof refusedChange>;

const lastError = z
  .strictObject({
    time: time('time of the failed sync (RFC 3339).'),
    reason: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: 'reason, as in the Synced condition (e.g. FetchFailed).' }),
    message: z.string().max(4096).meta({ description: 'message says what went wrong.' }),
  })
  .meta({ description: 'lastError is the most recent failed sync, kept after later successes.' });

const feedCondition = condition
  .extend({
    type: z
      .string()
      .min(1)
      .max(316)
      .meta({ description: 'type of the condition: Synced or PricesApplied.' }),
  })
  .meta({
    description: "A condition: one aspect of the feed's state, as the operator last saw it.",
  });

/** The status of a PriceFeed, written by the operator's sync. */
export const priceFeedStatus = z
  .strictObject({
    observedGeneration: z.int().min(0).optional().meta({
      description: 'observedGeneration is the .metadata.generation the last sync used.',
    }),
    conditions: z
      .array(feedCondition)
      .max(8)
      .optional()
      .meta({
        description:
          'conditions: Synced (the last fetch succeeded and parsed) and PricesApplied (nothing is held back for approval).',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    lastSyncTime: time('lastSyncTime is the last successful sync (RFC 3339).').optional(),
    lastAttemptTime: time('lastAttemptTime is the last sync attempt (RFC 3339).').optional(),
    nextSyncTime: time('nextSyncTime is when the operator fetches next (RFC 3339).').optional(),
    lastError: lastError.optional(),
    modelCount: z.int().min(0).optional().meta({
      description: 'modelCount is the number of models in the last document fetched.',
    }),
    prices: listMap(z.array(feedPrice).max(4096), ['id'], 'price ids').optional().meta({
      description:
        'prices in force for the models some ModelProvider references through pricing.feedRef; compile() reads them from here.',
    }),
    appliedChanges: z.array(appliedChange).max(50).optional().meta({
      description: 'appliedChanges: the last 50 changes applied, newest first.',
    }),
    heldChanges: z.array(heldChange).max(1000).optional().meta({
      description:
        'heldChanges wait for approval: annotate the PriceFeed with switchyard.dev/approve-prices set to heldChangesDigest.',
    }),
    heldChangesDigest: z.string().max(64).optional().meta({
      description:
        'heldChangesDigest identifies the set of held changes; approving it approves exactly that set.',
    }),
    heldSince: time('heldSince is when the current set of held changes was first seen.').optional(),
    refusedChanges: z.array(refusedChange).max(1000).optional().meta({
      description:
        'refusedChanges: values the guard never applies (zero, missing, invalid, or a model the feed stopped listing); the value in force stays.',
    }),
  })
  .meta({ description: 'PriceFeedStatus is written by the operator after every sync.' });
/** A PriceFeed's status. */
export type PriceFeedStatus = z.output<typeof priceFeedStatus>;

/** A PriceFeed object as stored in Kubernetes. */
export const priceFeed = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('PriceFeed'),
  metadata: objectMeta,
  spec: priceFeedSpec,
  status: priceFeedStatus.optional(),
});
/** A PriceFeed, defaults applied. */
export type PriceFeed = z.output<typeof priceFeed>;
