import type { ProviderConfig, RouteConfig, RouterConfig } from '../config/router-config.ts';
import type { RoutingInput } from './routing-input.ts';

/** A provider for routing tests; prices in USD per million tokens. */
export function testProvider(
  name: string,
  models: {
    name: string;
    input: number;
    output: number;
    window?: number;
    capabilities?: ProviderConfig['models'][number]['capabilities'];
    tags?: string[];
  }[],
  dataPolicy: Partial<ProviderConfig['dataPolicy']> = {},
): ProviderConfig {
  return {
    name,
    namespace: 'ai',
    api: 'openai',
    baseURL: `http://${name}.test/v1`,
    headers: {},
    dataPolicy: { trainsOnData: true, zeroDataRetention: false, regions: [], ...dataPolicy },
    limits: {},
    circuitBreaker: {
      consecutiveFailures: 3,
      failureRatePercent: 50,
      minimumRequests: 10,
      windowSeconds: 60,
      cooldownSeconds: 30,
      maxCooldownSeconds: 300,
    },
    healthCheck: { enabled: false, intervalSeconds: 30 },
    models: models.map((m) => ({
      name: m.name,
      upstreamName: m.name,
      contextWindow: m.window ?? 128000,
      maxOutputTokens: 8192,
      pricing: {
        inputPerMillion: m.input,
        outputPerMillion: m.output,
        cachedInputPerMillion: m.input,
        cacheWritePerMillion: m.input,
        reasoningPerMillion: m.output,
      },
      capabilities: m.capabilities ?? ['streaming', 'tools', 'json'],
      tags: m.tags ?? [],
    })),
  };
}

/** A three-tier route over the test providers. */
export function testRoute(overrides: Partial<RouteConfig> = {}): RouteConfig {
  return {
    alias: 'auto',
    namespace: 'ai',
    policy: 'auto',
    tiers: [
      {
        name: 'budget',
        strategy: 'cheapest',
        targets: [
          { provider: 'qwen', model: 'qwen-plus', weight: 1 },
          { provider: 'deepseek', model: 'deepseek-chat', weight: 1 },
        ],
      },
      {
        name: 'standard',
        strategy: 'ordered',
        targets: [{ provider: 'openai', model: 'gpt-mini', weight: 1 }],
      },
      {
        name: 'premium',
        strategy: 'ordered',
        targets: [
          { provider: 'anthropic', model: 'sonnet', weight: 1 },
          { provider: 'local', model: 'llama', weight: 1 },
        ],
      },
    ],
    classification: {
      default: 'budget',
      rules: [
        {
          name: 'reasoning',
          tier: 'premium',
          match: { keywords: ['Step-by-step'] },
          preferTags: [],
        },
        { name: 'long', tier: 'premium', match: { minPromptTokens: 6000 }, preferTags: [] },
        {
          name: 'code',
          tier: 'budget',
          match: { headers: { 'x-task': 'code' } },
          preferTags: ['code'],
        },
      ],
      allowClientTier: false,
    },
    failover: {
      attemptTimeoutMs: 3000,
      ttftTimeoutMs: 2000,
      totalTimeoutMs: 20000,
      maxAttempts: 4,
      retries: {
        max: 1,
        initialBackoffMs: 10,
        maxBackoffMs: 100,
        onStatus: [429, 500, 502, 503, 504],
      },
      escalate: true,
      hedgeAfterMs: 0,
    },
    governance: {
      sensitive: { header: 'x-switchyard-sensitivity', patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'] },
      pool: { zeroDataRetention: true, trainsOnData: false, regions: ['eu', 'in-cluster'] },
    },
    ...overrides,
  };
}

/** A config with five providers and the test route. */
export function testConfig(route: RouteConfig = testRoute()): RouterConfig {
  return {
    schemaVersion: 1,
    configHash: '0'.repeat(64),
    providers: [
      testProvider('anthropic', [{ name: 'sonnet', input: 3, output: 15, window: 200000 }]),
      testProvider('deepseek', [
        { name: 'deepseek-chat', input: 0.27, output: 1.1, window: 64000, tags: ['code'] },
      ]),
      testProvider('local', [{ name: 'llama', input: 0, output: 0, window: 8192 }], {
        trainsOnData: false,
        zeroDataRetention: true,
        regions: ['in-cluster'],
      }),
      testProvider('openai', [
        {
          name: 'gpt-mini',
          input: 0.25,
          output: 2,
          capabilities: ['streaming', 'tools', 'json', 'vision'],
        },
      ]),
      testProvider('qwen', [{ name: 'qwen-plus', input: 0.4, output: 1.2 }]),
    ],
    routes: [route],
  };
}

/** A routing input for a short plain chat request, with overrides. */
export function testInput(overrides: Partial<RoutingInput> = {}): RoutingInput {
  return {
    promptTokens: 100,
    maxOutputTokens: undefined,
    requiredCapabilities: [],
    hasTools: false,
    hasImages: false,
    responseFormat: undefined,
    userTextLower: 'hello there',
    allText: 'hello there',
    forwardedText: () => 'hello there',
    headers: {},
    metadata: {},
    ...overrides,
  };
}
