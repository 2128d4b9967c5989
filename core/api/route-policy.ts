import { z } from 'zod';
import {
  API_VERSION,
  DNS_LABEL_PATTERN,
  MODEL_NAME_PATTERN,
  commonStatusShape,
  headerNameKey,
  objectMeta,
  targetRef,
} from './common.ts';
import { BUILTIN_SCORERS } from '../difficulty/scorer-names.ts';
import { policyLiveStatus } from './live-status.ts';
import { experimentSpec, qualitySpec } from './route-policy-quality.ts';
import { BACKOFF_DEFAULTS, TIMEOUT_DEFAULTS } from './derived-defaults.ts';
import { linearPatternField } from './linear-pattern.ts';
import { codePoints, listMap, listSet, ordered, stringMap, withRules } from './schema-kit.ts';

/** How a tier orders its targets. */
export const TIER_STRATEGIES = ['cheapest', 'fastest', 'weighted', 'ordered'] as const;
/** A tier strategy. */
export type TierStrategy = (typeof TIER_STRATEGIES)[number];

/** What happens when the monthly budget is spent. */
export const BUDGET_EXHAUSTED_ACTIONS = ['cheapest', 'reject'] as const;

/** What a proxy does with a budget while the shared budget store (Redis) is unreachable. */
export const BUDGET_STATE_UNAVAILABLE_ACTIONS = ['failOpen', 'failClosed', 'localCap'] as const;

const tierName = z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN));
const tag = z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN));
const headerName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9-]+$/);

const target = targetRef
  .extend({
    weight: z.int().min(0).max(1000).default(1).meta({
      description:
        'weight of the target under the weighted strategy; 0 takes it out of rotation. Defaults to 1.',
    }),
  })
  .meta({ description: 'A target: one model of one ModelProvider in the same namespace.' });

const tier = withRules(
  z.strictObject({
    name: tierName.meta({ description: 'name of the tier (DNS label), unique within the policy.' }),
    strategy: z.enum(TIER_STRATEGIES).default('cheapest').meta({
      description:
        'strategy ranks the targets: cheapest (expected cost of the request), fastest (observed latency), weighted (random by weight), ordered (as listed). Defaults to cheapest.',
    }),
    targets: z
      .array(target)
      .min(1)
      .max(16)
      .meta({ description: 'targets of the tier (1 to 16), each provider/model at most once.' }),
  }),
  [
    {
      rule: 'self.targets.all(t, self.targets.exists_one(u, u.provider == t.provider && u.model == t.model))',
      message: 'targets must be unique within a tier (the same provider and model listed twice)',
      fieldPath: '.targets',
      holds: (t) =>
        new Set(t.targets.map((x) => `${x.provider}/${x.model}`)).size === t.targets.length,
    },
    {
      rule: "self.strategy != 'weighted' || self.targets.exists(t, t.weight > 0)",
      message: 'a weighted tier needs at least one target with weight > 0',
      fieldPath: '.targets',
      holds: (t) => t.strategy !== 'weighted' || t.targets.some((x) => x.weight > 0),
    },
  ],
).meta({
  description:
    'A tier: a group of interchangeable targets. Tiers are ordered from cheapest to most capable.',
});

const match = withRules(
  z.strictObject({
    keywords: z.array(z.string().min(1).max(256)).max(64).optional().meta({
      description: 'keywords: matches when a user message contains any of them (case-insensitive).',
    }),
    patterns: z.array(linearPatternField()).max(32).optional().meta({
      description:
        'patterns: regular expressions (RE2 syntax, as in Go and CEL: no lookaround or backreferences); matches when any matches the text of the messages (its first 65,536 characters).',
    }),
    minPromptTokens: z.int().min(0).max(100000000).optional().meta({
      description:
        'minPromptTokens: matches when the estimated prompt size is at least this many tokens.',
    }),
    maxPromptTokens: z.int().min(0).max(100000000).optional().meta({
      description:
        'maxPromptTokens: matches when the estimated prompt size is at most this many tokens.',
    }),
    hasTools: z.boolean().optional().meta({
      description:
        'hasTools: matches when the request does (true) or does not (false) offer tools.',
    }),
    hasImages: z.boolean().optional().meta({
      description:
        'hasImages: matches when the request does (true) or does not (false) contain images.',
    }),
    responseFormat: z.enum(['text', 'json_object', 'json_schema']).optional().meta({
      description:
        "responseFormat: matches the request's response_format type. Valid values: text, json_object, json_schema.",
    }),
    headers: stringMap(z.string().max(256), 16, headerNameKey).optional().meta({
      description:
        'headers: matches when every listed request header has the given value (names case-insensitive). At most 16.',
    }),
    metadata: stringMap(z.string().max(256), 16, {
      rule: 'size(k) >= 1 && size(k) <= 64',
      message: 'metadata keys must be 1 to 64 characters',
      holds: (key) => codePoints(key) >= 1 && codePoints(key) <= 64,
    })
      .optional()
      .meta({
        description:
          "metadata: matches when every listed key of the request's metadata object has the given value. At most 16.",
      }),
  }),
  [
    {
      rule: 'has(self.keywords) || has(self.patterns) || has(self.minPromptTokens) || has(self.maxPromptTokens) || has(self.hasTools) || has(self.hasImages) || has(self.responseFormat) || has(self.headers) || has(self.metadata)',
      message: 'match needs at least one condition',
      holds: (m) => Object.values(m).some((v) => v !== undefined),
    },
    {
      rule: '!has(self.minPromptTokens) || !has(self.maxPromptTokens) || self.minPromptTokens <= self.maxPromptTokens',
      message: 'minPromptTokens must not exceed maxPromptTokens',
      fieldPath: '.minPromptTokens',
      holds: (m) =>
        m.minPromptTokens === undefined ||
        m.maxPromptTokens === undefined ||
        m.minPromptTokens <= m.maxPromptTokens,
    },
  ],
).meta({ description: 'match: every condition given must hold for the rule to match.' });

const rule = z
  .strictObject({
    name: tierName.meta({
      description: 'name of the rule (DNS label), reported in x-switchyard-rule and metrics.',
    }),
    tier: tierName.meta({
      description: 'tier the matching requests go to; must name one of spec.tiers.',
    }),
    match,
    preferTags: listSet(z.array(tag).max(16), 'preferTags').optional().meta({
      description:
        'preferTags: within the tier, targets whose model has any of these tags are tried first.',
    }),
  })
  .meta({ description: 'A classification rule. Rules are tried in order; the first match wins.' });

const classifier = z
  .strictObject({
    target: targetRef.meta({ description: 'target is the cheap model asked to name a tier.' }),
    timeoutMs: z.int().min(10).max(10000).default(300).meta({
      description:
        'timeoutMs for the classifier call; on timeout the default tier is used. Defaults to 300.',
    }),
  })
  .meta({
    description: 'classifier: an optional cheap model that picks a tier when no rule matched.',
  });

const scorerThreshold = z
  .strictObject({
    tier: tierName.meta({ description: 'tier the request goes to; must name one of spec.tiers.' }),
    minScore: z.number().min(0).max(1).meta({
      description:
        "minScore: requests whose difficulty score (0 to 1) is at least this go to the tier, unless a more capable tier's minScore is met too.",
    }),
  })
  .meta({ description: 'A tier and the difficulty score from which requests go to it.' });

const scorer = withRules(
  z.strictObject({
    model: z.enum(BUILTIN_SCORERS).default('difficulty-v1').meta({
      description:
        'model: the built-in difficulty model, in-process and without network calls. Valid values: difficulty-v1. Defaults to difficulty-v1.',
    }),
    thresholds: listMap(z.array(scorerThreshold).min(1).max(8), ['tier'], 'scorer threshold tiers')
      .optional()
      .meta({
        description:
          'thresholds per tier: a request goes to the most capable tier whose minScore its score reaches, else to classification.default. `switchyard eval --calibrate` prints them for your own traffic.',
      }),
    premiumShare: z.number().gt(0).lt(1).optional().meta({
      description:
        "premiumShare instead of thresholds: the share of requests (0 to 1, exclusive) that should go to the most capable tier, turned into that tier's threshold with the model's score distribution on its training data. Without thresholds and premiumShare the model's default threshold (about 40 % to the top tier) is used.",
    }),
  }),
  [
    {
      rule: '!has(self.thresholds) || !has(self.premiumShare)',
      message: 'give scorer.thresholds or scorer.premiumShare, not both',
      holds: (s) => s.thresholds === undefined || s.premiumShare === undefined,
    },
  ],
).meta({
  description:
    'scorer: the built-in difficulty scorer decides the tier when no rule (and no classifier) did.',
});

const exemplar = z
  .strictObject({
    text: z.string().min(1).max(2048).meta({
      description:
        'text of a request typical of the tier (its last user message), up to 2048 characters.',
    }),
    tier: tierName.meta({
      description: 'tier such requests need; must name one of spec.tiers.',
    }),
  })
  .meta({ description: 'A labelled exemplar: a request and the tier it needs.' });

const embeddingsSignal = z
  .strictObject({
    target: targetRef.meta({
      description:
        'target is the model that embeds texts: one with the embeddings capability (an in-cluster e5, OpenAI text-embedding-3-small, …).',
    }),
    exemplars: z.array(exemplar).min(1).max(256).meta({
      description:
        'exemplars: labelled requests (1 to 256); a request goes to the tier its nearest exemplars share, when they agree enough.',
    }),
    k: z.int().min(1).max(32).default(5).meta({
      description: 'k nearest exemplars that vote, by cosine similarity. Defaults to 5.',
    }),
    minConfidence: z.number().min(0.5).max(1).default(0.7).meta({
      description:
        "minConfidence: the winning tier's share of the similarity-weighted vote needed to decide (0.5 to 1); below it the scorer decides. Defaults to 0.7.",
    }),
    timeoutMs: z.int().min(10).max(10000).default(200).meta({
      description:
        'timeoutMs for the embeddings call; on timeout, error or an open circuit the scorer (or the default tier) decides. Defaults to 200.',
    }),
    failuresToOpen: z.int().min(1).max(100).default(3).meta({
      description:
        "failuresToOpen: consecutive failed calls that open the signal's own circuit, which then skips the call for cooldownSeconds. Defaults to 3.",
    }),
    cooldownSeconds: z.int().min(1).max(3600).default(30).meta({
      description: 'cooldownSeconds an open circuit waits before one trial call. Defaults to 30.',
    }),
  })
  .meta({
    description:
      'embeddings: the k nearest labelled exemplars by embedding pick the tier when no rule matched; each text is embedded once per proxy (cached).',
  });

const classification = z
  .strictObject({
    default: tierName
      .optional()
      .meta({ description: 'default tier when no rule matches. Defaults to the first tier.' }),
    rules: listMap(z.array(rule).max(64), ['name'], 'rule names')
      .default([])
      .meta({ description: 'rules tried in order; the first match wins. Defaults to [].' }),
    classifier: classifier.optional(),
    embeddings: embeddingsSignal.optional(),
    scorer: scorer.optional(),
    allowClientTier: z.boolean().default(false).meta({
      description:
        'allowClientTier lets clients choose a tier with the x-switchyard-tier header. Defaults to false.',
    }),
  })
  .meta({
    description:
      'classification decides the tier of each request: rules, then the client tier header (when allowed), then the classifier model (when configured), then the embeddings signal (when configured and confident), then the difficulty scorer (when configured), then the default.',
  });

const retries = withRules(
  z.strictObject({
    max: z
      .int()
      .min(0)
      .max(10)
      .default(1)
      .meta({ description: 'max retries of the same target before failing over. Defaults to 1.' }),
    initialBackoffMs: z
      .int()
      .min(0)
      .max(60000)
      .optional()
      .meta({
        description: `initialBackoffMs before the first retry; doubles each retry, with full jitter. Defaults to ${BACKOFF_DEFAULTS.initialBackoffMs}, or to maxBackoffMs when that is set lower.`,
      }),
    maxBackoffMs: z
      .int()
      .min(0)
      .max(300000)
      .optional()
      .meta({
        description: `maxBackoffMs caps the backoff and any Retry-After honoured. Defaults to ${BACKOFF_DEFAULTS.maxBackoffMs}, or to initialBackoffMs when that is set higher.`,
      }),
    onStatus: listSet(z.array(z.int().min(400).max(599)).max(32), 'onStatus')
      .default([429, 500, 502, 503, 504])
      .meta({
        description:
          'onStatus: upstream statuses that trigger a retry or failover. Defaults to [429, 500, 502, 503, 504].',
      }),
  }),
  [ordered('initialBackoffMs', 'maxBackoffMs')],
).meta({ description: 'retries of a failed attempt.' });

const failover = withRules(
  z.strictObject({
    attemptTimeoutMs: z
      .int()
      .min(100)
      .max(600000)
      .optional()
      .meta({
        description: `attemptTimeoutMs bounds one upstream attempt (a whole non-streaming response). Defaults to ${TIMEOUT_DEFAULTS.attemptTimeoutMs}, raised to ttftTimeoutMs or just above hedgeAfterMs and lowered to totalTimeoutMs when those are set beyond it.`,
      }),
    ttftTimeoutMs: z
      .int()
      .min(100)
      .max(600000)
      .optional()
      .meta({
        description: `ttftTimeoutMs bounds the time to first token of a stream. Defaults to ${TIMEOUT_DEFAULTS.ttftTimeoutMs}, or to the attempt timeout when that is lower.`,
      }),
    totalTimeoutMs: z
      .int()
      .min(100)
      .max(3600000)
      .optional()
      .meta({
        description: `totalTimeoutMs bounds the whole request, all attempts included. Defaults to ${TIMEOUT_DEFAULTS.totalTimeoutMs}, or to the attempt timeout when that is higher.`,
      }),
    maxAttempts: z.int().min(1).max(20).default(4).meta({
      description: 'maxAttempts across retries, failovers and escalations. Defaults to 4.',
    }),
    retries: retries.prefault({}),
    escalate: z.boolean().default(true).meta({
      description: "escalate to the next tier after a tier's targets fail. Defaults to true.",
    }),
    // At most 599999: an attempt timeout (at most 600000) must still fit above it.
    hedgeAfterMs: z.int().min(0).max(599999).default(0).meta({
      description:
        'hedgeAfterMs starts a second target when the first has not answered after this delay; the loser is cancelled. Below the attempt and total timeouts. 0 (the default) turns hedging off.',
    }),
  }),
  // Pairwise, so that compile() can always fill the unset ones in between (derived-defaults.ts).
  [
    ordered('ttftTimeoutMs', 'attemptTimeoutMs'),
    ordered('attemptTimeoutMs', 'totalTimeoutMs'),
    ordered('ttftTimeoutMs', 'totalTimeoutMs'),
    ordered('hedgeAfterMs', 'attemptTimeoutMs', true),
    ordered('hedgeAfterMs', 'totalTimeoutMs', true),
  ],
).meta({
  description:
    'failover: timeouts, retries, fallback along the tier and escalation to the next tier. Unset timeouts default around the ones you set, so a default never contradicts your value.',
});

const latency = z
  .strictObject({
    interactiveTtftMs: z.int().min(1).max(600000).meta({
      description:
        'interactiveTtftMs: requests marked x-switchyard-latency: interactive avoid targets whose observed p95 time to first token exceeds this.',
    }),
  })
  .meta({ description: 'latency budget for interactive requests.' });

const governance = z
  .strictObject({
    sensitive: z
      .strictObject({
        header: headerName.default('x-switchyard-sensitivity').meta({
          description:
            'header that marks a request sensitive when its value is anything but "none" or "false". Defaults to x-switchyard-sensitivity.',
        }),
        patterns: z.array(linearPatternField()).max(32).default([]).meta({
          description:
            'patterns: regular expressions (RE2 syntax); a request is sensitive when any matches any string it would forward to a provider (messages, tools, schemas, metadata, file names…), after Unicode NFKC normalisation. Defaults to [].',
        }),
      })
      .prefault({})
      .meta({ description: 'sensitive: how a request is recognised as sensitive.' }),
    pool: withRules(
      z.strictObject({
        zeroDataRetention: z.boolean().optional().meta({
          description:
            'zeroDataRetention: when true, only providers declaring zero data retention.',
        }),
        trainsOnData: z.boolean().optional().meta({
          description:
            'trainsOnData: when false, only providers declaring that they do not train on data.',
        }),
        regions: listSet(z.array(tag).max(16), 'regions')
          .optional()
          .meta({ description: 'regions: only providers all of whose regions are in this list.' }),
      }),
      [
        {
          rule: 'has(self.zeroDataRetention) || has(self.trainsOnData) || has(self.regions)',
          message:
            'pool needs at least one requirement (zeroDataRetention, trainsOnData or regions)',
          holds: (p) =>
            p.zeroDataRetention !== undefined ||
            p.trainsOnData !== undefined ||
            p.regions !== undefined,
        },
      ],
    ).meta({
      description:
        'pool: the data policy a provider must satisfy to receive sensitive requests, fallbacks and cache hits included.',
    }),
  })
  .meta({
    description:
      'governance keeps sensitive requests inside a pool of providers; with no provider left the request fails closed.',
  });

const budget = z
  .strictObject({
    monthlyUSD: z.number().gt(0).max(100000000).meta({
      description:
        'monthlyUSD the policy may spend per calendar month (UTC), shared by every proxy pod.',
    }),
    downgradeAtPercent: z.int().min(1).max(100).default(80).meta({
      description:
        'downgradeAtPercent of the budget after which requests are routed one tier cheaper. Defaults to 80.',
    }),
    onExhausted: z.enum(BUDGET_EXHAUSTED_ACTIONS).default('cheapest').meta({
      description:
        'onExhausted: what happens when the budget is spent. cheapest (only the cheapest tier) or reject (HTTP 429 budget_exhausted). Defaults to cheapest.',
    }),
    onStateUnavailable: z.enum(BUDGET_STATE_UNAVAILABLE_ACTIONS).default('failOpen').meta({
      description:
        'onStateUnavailable: what a proxy does while the shared budget store (Redis) is unreachable. failOpen serves and counts the spend locally, adding it back when the store returns; failClosed refuses with HTTP 503 budget_unavailable (Retry-After); localCap serves until this pod has spent its share of the budget left when it last saw the store (that remainder divided by the fleet size, serve --budget-fleet-size), then behaves as onExhausted says (reject: 503 budget_unavailable). Defaults to failOpen.',
    }),
    reserveOutputTokens: z.int().min(1).max(10000000).optional().meta({
      description:
        "reserveOutputTokens: output tokens reserved for a request that sets no max_tokens. Defaults to the model's maxOutputTokens, so the budget cannot be overrun; a lower value reserves less per request in flight, and a request may then cost more than it reserved.",
    }),
  })
  .meta({
    description:
      'budget caps monthly spend; requests reserve their estimated cost before the call and settle after.',
  });

const cache = withRules(
  z.strictObject({
    exact: z
      .strictObject({
        ttlSeconds: z
          .int()
          .min(1)
          .max(2592000)
          .default(3600)
          .meta({ description: 'ttlSeconds an exact-match answer is kept. Defaults to 3600.' }),
      })
      .optional()
      .meta({
        description:
          'exact: answers identical requests from the cache: same policy, same tenant (header x-switchyard-tenant), never sensitive ones. Shared by the fleet when the proxies use Redis.',
      }),
    semantic: z
      .strictObject({
        threshold: z.number().min(0.5).max(1).default(0.95).meta({
          description: 'threshold of cosine similarity for a hit, 0.5 to 1. Defaults to 0.95.',
        }),
        ttlSeconds: z
          .int()
          .min(1)
          .max(2592000)
          .default(3600)
          .meta({ description: 'ttlSeconds a semantic entry is kept. Defaults to 3600.' }),
      })
      .optional()
      .meta({
        description:
          'semantic: answers similar requests; never across tenants or pools, never for sensitive requests. Reserved: accepted but not served yet in v1alpha1 (only exact is).',
      }),
  }),
  [
    {
      rule: 'has(self.exact) || has(self.semantic)',
      message: 'cache needs exact, semantic or both',
      holds: (c) => c.exact !== undefined || c.semantic !== undefined,
    },
  ],
).meta({ description: 'cache of answers; streaming and non-streaming requests both use it.' });

/** The spec of a RoutePolicy: what a client alias means. */
export const routePolicySpec = withRules(
  z.strictObject({
    model: z.string().min(1).max(128).regex(new RegExp(MODEL_NAME_PATTERN)).meta({
      description:
        'model is the alias clients send as "model" (e.g. auto). Unique across the fleet: the oldest policy wins.',
    }),
    tiers: listMap(z.array(tier).min(1).max(8), ['name'], 'tier names').meta({
      description:
        'tiers ordered from cheapest to most capable (1 to 8); escalation follows this order.',
    }),
    classification: classification.prefault({}),
    failover: failover.prefault({}),
    latency: latency.optional(),
    governance: governance.optional(),
    budget: budget.optional(),
    cache: cache.optional(),
    quality: qualitySpec.optional(),
    experiment: experimentSpec.optional(),
  }),
  [
    {
      rule: '!has(self.classification) || !has(self.classification.default) || self.tiers.exists(t, t.name == self.classification.default)',
      message: 'classification.default must name one of spec.tiers',
      fieldPath: '.classification.default',
      holds: (s) =>
        s.classification.default === undefined ||
        s.tiers.some((t) => t.name === s.classification.default),
    },
    {
      rule: '!has(self.classification) || !has(self.classification.rules) || self.classification.rules.all(r, self.tiers.exists(t, t.name == r.tier))',
      message: "every classification rule's tier must name one of spec.tiers",
      fieldPath: '.classification.rules',
      holds: (s) => s.classification.rules.every((r) => s.tiers.some((t) => t.name === r.tier)),
    },
    {
      rule: '!has(self.classification) || !has(self.classification.embeddings) || self.classification.embeddings.exemplars.all(x, self.tiers.exists(t, t.name == x.tier))',
      message: "every embeddings exemplar's tier must name one of spec.tiers",
      fieldPath: '.classification.embeddings.exemplars',
      holds: (s) =>
        (s.classification.embeddings?.exemplars ?? []).every((x) =>
          s.tiers.some((t) => t.name === x.tier),
        ),
    },
    {
      rule: '!has(self.classification) || !has(self.classification.scorer) || !has(self.classification.scorer.thresholds) || self.classification.scorer.thresholds.all(x, self.tiers.exists(t, t.name == x.tier))',
      message: "every scorer threshold's tier must name one of spec.tiers",
      fieldPath: '.classification.scorer.thresholds',
      holds: (s) =>
        (s.classification.scorer?.thresholds ?? []).every((x) =>
          s.tiers.some((t) => t.name === x.tier),
        ),
    },
    {
      rule: '!has(self.quality) || !has(self.quality.tierSamplePercent) || self.quality.tierSamplePercent.all(k, self.tiers.exists(t, t.name == k))',
      message: 'every key of quality.tierSamplePercent must name one of spec.tiers',
      fieldPath: '.quality.tierSamplePercent',
      holds: (s) =>
        Object.keys(s.quality?.tierSamplePercent ?? {}).every((k) =>
          s.tiers.some((t) => t.name === k),
        ),
    },
  ],
).meta({
  description:
    'RoutePolicySpec says what a client alias means: tiers of targets, how requests are classified, and how they fail over.',
});

/** A RoutePolicy's spec, defaults applied. */
export type RoutePolicySpec = z.output<typeof routePolicySpec>;
/** One tier, defaults applied. */
export type TierSpec = RoutePolicySpec['tiers'][number];
/** One classification rule, defaults applied. */
export type RuleSpec = RoutePolicySpec['classification']['rules'][number];

/** The status of a RoutePolicy, written by the operator. */
export const routePolicyStatus = z
  .strictObject({ ...commonStatusShape, live: policyLiveStatus.optional() })
  .meta({ description: 'RoutePolicyStatus is written by the operator.' });

/** A RoutePolicy object as stored in Kubernetes. */
export const routePolicy = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('RoutePolicy'),
  metadata: objectMeta,
  spec: routePolicySpec,
  status: routePolicyStatus.optional(),
});
/** A RoutePolicy, defaults applied. */
export type RoutePolicy = z.output<typeof routePolicy>;
