import { z } from 'zod';
import {
  API_VERSION,
  DNS_LABEL_PATTERN,
  MODEL_NAME_PATTERN,
  commonStatusShape,
  headerNameKey,
  objectMeta,
  objectName,
} from './common.ts';
import { providerLiveStatus } from './live-status.ts';
import { COOLDOWN_DEFAULTS } from './derived-defaults.ts';
import { listMap, listSet, ordered, stringMap, withRules } from './schema-kit.ts';

/** Wire protocols a provider can speak. `openai` covers every OpenAI-compatible endpoint. */
export const PROVIDER_APIS = ['openai', 'anthropic', 'gemini'] as const;
/** A wire protocol. */
export type ProviderApi = (typeof PROVIDER_APIS)[number];

/** What a model can do; a request that needs a capability only reaches models that declare it. */
export const MODEL_CAPABILITIES = [
  'tools',
  'json',
  'vision',
  'streaming',
  'embeddings',
  'reasoning',
] as const;
/** A model capability. */
export type ModelCapability = (typeof MODEL_CAPABILITIES)[number];

const usdPerMillion = (field: string, meaning: string) =>
  z
    .number()
    .min(0)
    .max(100000)
    .meta({ description: `${field} is the price in USD per million ${meaning}. Must be >= 0.` });

const feedRef = z
  .strictObject({
    name: objectName.max(63).meta({
      description: 'name of a PriceFeed in the same namespace.',
    }),
    id: z.string().min(1).max(256).meta({
      description:
        'id of the model in that feed, e.g. openai/gpt-4o (OpenRouter) or gpt-4o (LiteLLM).',
    }),
    followContextWindow: z.boolean().optional().meta({
      description:
        'followContextWindow takes contextWindow and maxOutputTokens from the feed too (guarded like prices). Defaults to false.',
    }),
  })
  .meta({
    description:
      "feedRef makes the price follow a PriceFeed: the operator applies the feed's guarded price, and the static prices above are the fallback until the feed has one (or when it cannot be read).",
  });

const pricing = withRules(
  z.strictObject({
    inputPerMillion: usdPerMillion('inputPerMillion', 'input (prompt) tokens'),
    outputPerMillion: usdPerMillion('outputPerMillion', 'output (completion) tokens'),
    cachedInputPerMillion: usdPerMillion(
      'cachedInputPerMillion',
      "input tokens read from the provider's prompt cache; defaults to inputPerMillion",
    ).optional(),
    cacheWritePerMillion: usdPerMillion(
      'cacheWritePerMillion',
      "input tokens written to the provider's prompt cache; defaults to inputPerMillion",
    ).optional(),
    reasoningPerMillion: usdPerMillion(
      'reasoningPerMillion',
      'reasoning tokens; defaults to outputPerMillion',
    ).optional(),
    feedRef: feedRef.optional(),
  }),
  [
    {
      rule: '!has(self.cachedInputPerMillion) || self.cachedInputPerMillion <= self.inputPerMillion',
      message: 'cachedInputPerMillion must not exceed inputPerMillion',
      fieldPath: '.cachedInputPerMillion',
      holds: (p) =>
        p.cachedInputPerMillion === undefined || p.cachedInputPerMillion <= p.inputPerMillion,
    },
  ],
).meta({
  description: 'pricing of the model in USD per million tokens, as the provider bills it.',
});

const model = withRules(
  z.strictObject({
    name: z.string().min(1).max(128).regex(new RegExp(MODEL_NAME_PATTERN)).meta({
      description:
        'name of the model within this provider; referenced as <provider>/<name>. Letters, digits, ".", "_", ":" and "-".',
    }),
    upstreamName: z.string().min(1).max(256).optional().meta({
      description: 'upstreamName is the model id sent to the provider. Defaults to name.',
    }),
    contextWindow: z.int().min(1).max(100000000).meta({
      description:
        'contextWindow is the maximum number of tokens (prompt + output) the model accepts.',
    }),
    maxOutputTokens: z.int().min(1).max(100000000).optional().meta({
      description:
        'maxOutputTokens is the most tokens the model can generate in one response. Defaults to contextWindow.',
    }),
    pricing,
    capabilities: listSet(
      z.array(z.enum(MODEL_CAPABILITIES)).max(MODEL_CAPABILITIES.length),
      'capabilities',
    )
      .default(['streaming'])
      .meta({
        description:
          'capabilities the model supports; requests needing one only reach models declaring it. Defaults to [streaming]. Valid values: tools, json, vision, streaming, embeddings, reasoning.',
      }),
    tags: listSet(
      z.array(z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN))).max(16),
      'tags',
    )
      .default([])
      .meta({
        description:
          'tags say what the model is good at (e.g. code, extraction); classification rules may prefer tagged models. Defaults to [].',
      }),
  }),
  [
    {
      rule: '!has(self.maxOutputTokens) || self.maxOutputTokens <= self.contextWindow',
      message: 'maxOutputTokens must not exceed contextWindow',
      fieldPath: '.maxOutputTokens',
      holds: (m) => m.maxOutputTokens === undefined || m.maxOutputTokens <= m.contextWindow,
    },
  ],
).meta({ description: 'A model served by this provider.' });

const dataPolicy = z
  .strictObject({
    trainsOnData: z.boolean().default(true).meta({
      description:
        'trainsOnData says whether the provider may train on requests. Defaults to true, the safe assumption until declared otherwise.',
    }),
    zeroDataRetention: z.boolean().default(false).meta({
      description:
        'zeroDataRetention says whether the provider keeps no request data after answering. Defaults to false.',
    }),
    regions: listSet(
      z.array(z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN))).max(16),
      'regions',
    )
      .default([])
      .meta({
        description:
          'regions where requests are processed, e.g. eu, us, in-cluster. Defaults to [] (unknown), which satisfies no region-restricted pool.',
      }),
  })
  .meta({
    description:
      'dataPolicy declares how the provider treats request data; governance pools route sensitive requests only to providers whose policy satisfies them.',
  });

const limits = z
  .strictObject({
    requestsPerMinute: z.int().min(1).max(100000000).optional().meta({
      description:
        'requestsPerMinute the account allows; targets over it are skipped. Unlimited when unset.',
    }),
    tokensPerMinute: z.int().min(1).max(10000000000).optional().meta({
      description:
        'tokensPerMinute the account allows; targets over it are skipped. Unlimited when unset.',
    }),
    maxConcurrency: z.int().min(1).max(100000).optional().meta({
      description:
        'maxConcurrency is the most requests in flight per proxy pod. Unlimited when unset.',
    }),
  })
  .meta({ description: 'limits of the upstream account, enforced before calling it.' });

const circuitBreaker = withRules(
  z.strictObject({
    consecutiveFailures: z
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .meta({ description: 'consecutiveFailures that open the circuit. Defaults to 5.' }),
    failureRatePercent: z.int().min(1).max(100).default(50).meta({
      description:
        'failureRatePercent over the window that opens the circuit, once minimumRequests were seen. Defaults to 50.',
    }),
    minimumRequests: z.int().min(1).max(100000).default(20).meta({
      description: 'minimumRequests in the window before the failure rate counts. Defaults to 20.',
    }),
    windowSeconds: z.int().min(1).max(3600).default(60).meta({
      description: 'windowSeconds over which the failure rate is measured. Defaults to 60.',
    }),
    cooldownSeconds: z
      .int()
      .min(1)
      .max(3600)
      .optional()
      .meta({
        description: `cooldownSeconds an open circuit waits before a half-open trial request. Defaults to ${COOLDOWN_DEFAULTS.cooldownSeconds}, or to maxCooldownSeconds when that is set lower.`,
      }),
    maxCooldownSeconds: z
      .int()
      .min(1)
      .max(86400)
      .optional()
      .meta({
        description: `maxCooldownSeconds caps the cooldown, which doubles after each failed trial. Defaults to ${COOLDOWN_DEFAULTS.maxCooldownSeconds}, or to cooldownSeconds when that is set higher.`,
      }),
  }),
  [ordered('cooldownSeconds', 'maxCooldownSeconds')],
).meta({ description: 'circuitBreaker stops sending traffic to a failing model for a while.' });

const healthCheck = z
  .strictObject({
    enabled: z.boolean().default(false).meta({
      description:
        'enabled turns on active probes, which list models and spend no tokens. Defaults to false.',
    }),
    intervalSeconds: z
      .int()
      .min(5)
      .max(3600)
      .default(30)
      .meta({ description: 'intervalSeconds between probes. Defaults to 30.' }),
  })
  .meta({ description: 'healthCheck configures optional active probes of the provider.' });

const secretKeyRef = z
  .strictObject({
    name: objectName.meta({ description: "name of a Secret in the provider's namespace." }),
    key: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z0-9]+$/)
      .default('apiKey')
      .meta({ description: 'key in the Secret whose value is the API key. Defaults to apiKey.' }),
  })
  .meta({
    description:
      'secretRef names the Secret key holding the API key. The key never leaves the Secret.',
  });

const auth = z.strictObject({ secretRef: secretKeyRef }).meta({
  description:
    'auth says where the API key is. Omit for endpoints without authentication (e.g. an in-cluster vLLM).',
});

/** The spec of a ModelProvider: one upstream account and the models it serves. */
export const modelProviderSpec = z
  .strictObject({
    api: z.enum(PROVIDER_APIS).meta({
      description:
        'api is the wire protocol. Valid values: openai (every OpenAI-compatible endpoint: OpenAI, DeepSeek, Qwen, Mistral, Groq, vLLM, llama.cpp, Ollama), anthropic, gemini.',
    }),
    baseURL: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s/?#]+([/?#]\S*)?$/)
      .optional()
      .meta({
        description:
          'baseURL of the API, http or https. Defaults by api: https://api.openai.com/v1, https://api.anthropic.com, https://generativelanguage.googleapis.com/v1beta.',
      }),
    auth: auth.optional(),
    headers: stringMap(z.string().max(1024), 32, headerNameKey).optional().meta({
      description:
        'headers added to every upstream request (not secret: use auth for keys). At most 32; names are letters, digits and "-".',
    }),
    dataPolicy: dataPolicy.prefault({}),
    limits: limits.optional(),
    circuitBreaker: circuitBreaker.prefault({}),
    healthCheck: healthCheck.prefault({}),
    models: listMap(z.array(model).min(1).max(256), ['name'], 'model names').meta({
      description: 'models served by this provider (1 to 256), names unique.',
    }),
  })
  .meta({ description: 'ModelProviderSpec describes one upstream account and its models.' });

/** A ModelProvider's spec, defaults applied. */
export type ModelProviderSpec = z.output<typeof modelProviderSpec>;
/** One model of a ModelProvider, defaults applied. */
export type ModelSpec = ModelProviderSpec['models'][number];

/** Where a model's price in force comes from. */
export const PRICE_SOURCES = ['PriceFeed', 'Spec'] as const;
/** A price source. */
export type PriceSource = (typeof PRICE_SOURCES)[number];

const effectiveUsd = (field: string) =>
  z
    .number()
    .min(0)
    .meta({ description: `${field} in force, USD per million tokens.` });

/** The price in force for a model whose pricing follows a PriceFeed, and where it comes from. */
export const modelPriceStatus = z
  .strictObject({
    name: z.string().min(1).max(128).meta({ description: 'name of the model in spec.models.' }),
    source: z.enum(PRICE_SOURCES).meta({
      description:
        "source of inputPerMillion and outputPerMillion: PriceFeed (the feed's applied price) or Spec (spec.pricing, the fallback).",
    }),
    feed: z.string().max(253).optional().meta({ description: 'feed is the PriceFeed name.' }),
    feedModel: z.string().max(256).optional().meta({ description: 'feedModel is the id in it.' }),
    pricing: z
      .strictObject({
        inputPerMillion: effectiveUsd('inputPerMillion'),
        outputPerMillion: effectiveUsd('outputPerMillion'),
        cachedInputPerMillion: effectiveUsd('cachedInputPerMillion'),
        cacheWritePerMillion: effectiveUsd('cacheWritePerMillion'),
        reasoningPerMillion: effectiveUsd('reasoningPerMillion'),
      })
      .meta({ description: 'pricing the proxies use, every default filled in.' }),
    contextWindow: z.int().min(1).meta({ description: 'contextWindow in force.' }),
    maxOutputTokens: z.int().min(1).meta({ description: 'maxOutputTokens in force.' }),
    message: z.string().max(1024).meta({
      description: 'message says which values come from the feed and why any fall back to spec.',
    }),
  })
  .meta({ description: 'The price in force for one model whose pricing has a feedRef.' });
/** The price in force of one model, as status reports it. */
export type ModelPriceStatus = z.output<typeof modelPriceStatus>;

/** The status of a ModelProvider, written by the operator. */
export const modelProviderStatus = z
  .strictObject({
    ...commonStatusShape,
    modelCount: z.int().min(0).optional().meta({
      description: 'modelCount is the number of models in spec.models (a printer column).',
    }),
    models: listMap(z.array(modelPriceStatus).max(256), ['name'], 'model names').optional().meta({
      description:
        'models whose pricing follows a PriceFeed (pricing.feedRef): the price in force and its source. Absent when no model has a feedRef.',
    }),
    live: providerLiveStatus.optional(),
  })
  .meta({ description: 'ModelProviderStatus is written by the operator.' });

/** A ModelProvider object as stored in Kubernetes. */
export const modelProvider = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('ModelProvider'),
  metadata: objectMeta,
  spec: modelProviderSpec,
  status: modelProviderStatus.optional(),
});
/** A ModelProvider, defaults applied. */
export type ModelProvider = z.output<typeof modelProvider>;
