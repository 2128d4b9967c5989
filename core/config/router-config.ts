import { z } from 'zod';
import { MODEL_CAPABILITIES, PROVIDER_APIS } from '../api/model-provider.ts';
import { EXPERIMENT_STICKINESS } from '../api/route-policy-quality.ts';
import {
  BUDGET_EXHAUSTED_ACTIONS,
  BUDGET_STATE_UNAVAILABLE_ACTIONS,
  TIER_STRATEGIES,
} from '../api/route-policy.ts';

/**
 * The operator → proxy contract. `compile()` produces it; proxies validate it with this schema
 * and refuse any other `schemaVersion`, keeping their last good config. It never holds a secret
 * value: credentials are references that the proxy resolves from its own Secret mount or watch.
 */
export const ROUTER_CONFIG_SCHEMA_VERSION = 1;

const pricing = z.strictObject({
  inputPerMillion: z.number().min(0),
  outputPerMillion: z.number().min(0),
  cachedInputPerMillion: z.number().min(0),
  cacheWritePerMillion: z.number().min(0),
  reasoningPerMillion: z.number().min(0),
});

/** A model as the proxy sees it: every default filled in. */
export const modelConfig = z.strictObject({
  name: z.string(),
  upstreamName: z.string(),
  contextWindow: z.int().min(1),
  maxOutputTokens: z.int().min(1),
  pricing,
  capabilities: z.array(z.enum(MODEL_CAPABILITIES)),
  tags: z.array(z.string()),
});
/** A model in the RouterConfig. */
export type ModelConfig = z.output<typeof modelConfig>;

/** Where a provider's API key lives; the value itself never enters the config. */
export const credentialRef = z.strictObject({
  namespace: z.string(),
  secretName: z.string(),
  key: z.string(),
});
/** A reference to a Secret key. */
export type CredentialRef = z.output<typeof credentialRef>;

/** A provider as the proxy sees it. Provider names are unique across the fleet. */
export const providerConfig = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  api: z.enum(PROVIDER_APIS),
  baseURL: z.string(),
  credential: credentialRef.optional(),
  headers: z.record(z.string(), z.string()),
  dataPolicy: z.strictObject({
    trainsOnData: z.boolean(),
    zeroDataRetention: z.boolean(),
    regions: z.array(z.string()),
  }),
  limits: z.strictObject({
    requestsPerMinute: z.int().optional(),
    tokensPerMinute: z.int().optional(),
    maxConcurrency: z.int().optional(),
  }),
  circuitBreaker: z.strictObject({
    consecutiveFailures: z.int(),
    failureRatePercent: z.int(),
    minimumRequests: z.int(),
    windowSeconds: z.int(),
    cooldownSeconds: z.int(),
    maxCooldownSeconds: z.int(),
  }),
  healthCheck: z.strictObject({ enabled: z.boolean(), intervalSeconds: z.int() }),
  models: z.array(modelConfig),
});
/** A provider in the RouterConfig. */
export type ProviderConfig = z.output<typeof providerConfig>;

const target = z.strictObject({ provider: z.string(), model: z.string(), weight: z.int().min(0) });
/** A resolved target of a tier. */
export type TargetConfig = z.output<typeof target>;

const tier = z.strictObject({
  name: z.string(),
  strategy: z.enum(TIER_STRATEGIES),
  targets: z.array(target),
});
/** A tier in the RouterConfig; `targets` holds only the targets that resolved. */
export type TierConfig = z.output<typeof tier>;

const rule = z.strictObject({
  name: z.string(),
  tier: z.string(),
  match: z.strictObject({
    keywords: z.array(z.string()).optional(),
    patterns: z.array(z.string()).optional(),
    minPromptTokens: z.int().optional(),
    maxPromptTokens: z.int().optional(),
    hasTools: z.boolean().optional(),
    hasImages: z.boolean().optional(),
    responseFormat: z.enum(['text', 'json_object', 'json_schema']).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
  preferTags: z.array(z.string()),
});
/** A classification rule in the RouterConfig (header names lower-cased). */
export type RuleConfig = z.output<typeof rule>;

/** A route: what one client alias means. Aliases are unique across the fleet. */
export const routeConfig = z.strictObject({
  alias: z.string(),
  namespace: z.string(),
  policy: z.string(),
  tiers: z.array(tier).min(1),
  classification: z.strictObject({
    default: z.string(),
    rules: z.array(rule),
    classifier: z
      .strictObject({ provider: z.string(), model: z.string(), timeoutMs: z.int() })
      .optional(),
    embeddings: z
      .strictObject({
        provider: z.string(),
        model: z.string(),
        exemplars: z.array(z.strictObject({ text: z.string(), tier: z.string() })),
        k: z.int(),
        minConfidence: z.number(),
        timeoutMs: z.int(),
        failuresToOpen: z.int(),
        cooldownSeconds: z.int(),
      })
      .optional(),
    scorer: z
      .strictObject({
        model: z.string(),
        /** Most capable tier first; the first whose minScore a request reaches wins. */
        thresholds: z.array(z.strictObject({ tier: z.string(), minScore: z.number() })),
        /** Where the thresholds came from, for explain and eval. */
        from: z.enum(['thresholds', 'premiumShare', 'default']),
      })
      .optional(),
    allowClientTier: z.boolean(),
  }),
  failover: z.strictObject({
    attemptTimeoutMs: z.int(),
    ttftTimeoutMs: z.int(),
    totalTimeoutMs: z.int(),
    maxAttempts: z.int(),
    retries: z.strictObject({
      max: z.int(),
      initialBackoffMs: z.int(),
      maxBackoffMs: z.int(),
      onStatus: z.array(z.int()),
    }),
    escalate: z.boolean(),
    hedgeAfterMs: z.int(),
  }),
  latency: z.strictObject({ interactiveTtftMs: z.int() }).optional(),
  governance: z
    .strictObject({
      sensitive: z.strictObject({ header: z.string(), patterns: z.array(z.string()) }),
      pool: z.strictObject({
        zeroDataRetention: z.boolean().optional(),
        trainsOnData: z.boolean().optional(),
        regions: z.array(z.string()).optional(),
      }),
    })
    .optional(),
  budget: z
    .strictObject({
      monthlyUSD: z.number(),
      downgradeAtPercent: z.int(),
      onExhausted: z.enum(BUDGET_EXHAUSTED_ACTIONS),
      // Defaulted so a proxy reads configs from an operator that predates the field.
      onStateUnavailable: z.enum(BUDGET_STATE_UNAVAILABLE_ACTIONS).default('failOpen'),
      reserveOutputTokens: z.int().optional(),
    })
    .optional(),
  cache: z
    .strictObject({
      exact: z.strictObject({ ttlSeconds: z.int() }).optional(),
      semantic: z.strictObject({ threshold: z.number(), ttlSeconds: z.int() }).optional(),
    })
    .optional(),
  /** The quality loop; present only when its judge resolved. */
  quality: z
    .strictObject({
      judge: z.strictObject({ provider: z.string(), model: z.string() }),
      samplePercent: z.number(),
      /** Every tier's sampling share, tierSamplePercent applied. */
      tierSamplePercent: z.record(z.string(), z.number()),
      rubric: z.string().optional(),
      timeoutMs: z.int(),
      floor: z.number(),
      demotion: z
        .strictObject({
          below: z.number(),
          restoreAbove: z.number(),
          minSamples: z.int(),
          window: z.int(),
          probationPercent: z.number(),
        })
        .optional(),
      maxConcurrency: z.int(),
      queueSize: z.int(),
      export: z.strictObject({ maxSamples: z.int(), includeRequestText: z.boolean() }),
    })
    .optional(),
  /** An experiment; present only when its variant policy is served. */
  experiment: z
    .strictObject({
      name: z.string(),
      /** The alias of the variant policy's route. */
      variant: z.string(),
      variantPolicy: z.string(),
      percent: z.number(),
      stickyBy: z.enum(EXPERIMENT_STICKINESS),
    })
    .optional(),
});
/** A route in the RouterConfig. */
export type RouteConfig = z.output<typeof routeConfig>;

/** The whole configuration every proxy serves. */
export const routerConfig = z.strictObject({
  schemaVersion: z.literal(ROUTER_CONFIG_SCHEMA_VERSION),
  /** sha256 (hex) of the canonical JSON of this object without `configHash`. */
  configHash: z.string().regex(/^[0-9a-f]{64}$/),
  providers: z.array(providerConfig),
  routes: z.array(routeConfig),
});
/** The RouterConfig. */
export type RouterConfig = z.output<typeof routerConfig>;
