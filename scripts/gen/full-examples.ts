// One object of each kind with every field set, for docs/api.md. The generator parses both with
// the zod schemas, and test/docs validates them as `switchyard validate` would, together with the
// providers and Secrets of examples/ (EXAMPLE_CONTEXT), so the reference never shows an example
// the API would reject or whose references would not resolve.

/** The files each example is validated with, written as its docs block's marker. */
export const EXAMPLE_CONTEXT: Record<'ModelProvider' | 'RoutePolicy' | 'PriceFeed', string[]> = {
  ModelProvider: ['examples/secrets.example.yaml'],
  RoutePolicy: ['examples/model-providers.yaml', 'examples/secrets.example.yaml'],
  // compile() reads no PriceFeed reference, so the feed stands alone.
  PriceFeed: [],
};

/** A ModelProvider that sets every spec field. */
export const FULL_MODEL_PROVIDER = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: { name: 'deepseek' },
  spec: {
    api: 'openai',
    baseURL: 'https://api.deepseek.com/v1',
    auth: { secretRef: { name: 'deepseek', key: 'apiKey' } },
    headers: { 'X-Team': 'platform' },
    dataPolicy: { trainsOnData: true, zeroDataRetention: false, regions: ['cn'] },
    limits: { requestsPerMinute: 600, tokensPerMinute: 1000000, maxConcurrency: 64 },
    circuitBreaker: {
      consecutiveFailures: 5,
      failureRatePercent: 50,
      minimumRequests: 20,
      windowSeconds: 60,
      cooldownSeconds: 30,
      maxCooldownSeconds: 300,
    },
    healthCheck: { enabled: true, intervalSeconds: 30 },
    models: [
      {
        name: 'deepseek-chat',
        upstreamName: 'deepseek-chat',
        contextWindow: 128000,
        maxOutputTokens: 8192,
        pricing: {
          inputPerMillion: 0.28,
          outputPerMillion: 0.42,
          cachedInputPerMillion: 0.028,
          cacheWritePerMillion: 0.28,
          reasoningPerMillion: 0.42,
          feedRef: { name: 'openrouter', id: 'deepseek/deepseek-chat', followContextWindow: false },
        },
        capabilities: ['tools', 'json', 'streaming'],
        tags: ['code', 'extraction'],
      },
      {
        name: 'deepseek-reasoner',
        contextWindow: 128000,
        maxOutputTokens: 65536,
        pricing: { inputPerMillion: 0.28, outputPerMillion: 0.42, cachedInputPerMillion: 0.028 },
        capabilities: ['json', 'streaming', 'reasoning'],
        tags: ['reasoning'],
      },
    ],
  },
};

/** A RoutePolicy that sets every spec field. */
export const FULL_ROUTE_POLICY = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'RoutePolicy',
  metadata: { name: 'auto' },
  spec: {
    model: 'auto',
    tiers: [
      {
        name: 'budget',
        strategy: 'cheapest',
        targets: [
          { provider: 'deepseek', model: 'deepseek-chat' },
          { provider: 'qwen', model: 'qwen-plus' },
          // Zero data retention in-cluster: the target that satisfies governance.pool below.
          { provider: 'in-cluster', model: 'qwen3-32b' },
        ],
      },
      {
        name: 'standard',
        strategy: 'weighted',
        targets: [
          { provider: 'openai', model: 'gpt-5-mini', weight: 3 },
          { provider: 'gemini', model: 'gemini-2.5-flash', weight: 1 },
        ],
      },
      {
        name: 'premium',
        strategy: 'ordered',
        targets: [
          { provider: 'anthropic', model: 'claude-sonnet-4-5' },
          { provider: 'openai', model: 'gpt-5' },
        ],
      },
    ],
    classification: {
      default: 'budget',
      rules: [
        {
          name: 'reasoning',
          tier: 'premium',
          match: { keywords: ['step-by-step', 'analyze the logic'] },
        },
        { name: 'long', tier: 'standard', match: { minPromptTokens: 6000 } },
        {
          name: 'code',
          tier: 'standard',
          match: { headers: { 'x-task': 'code' } },
          preferTags: ['code'],
        },
        {
          name: 'small-json',
          tier: 'budget',
          match: {
            patterns: ['^Extract'],
            maxPromptTokens: 2000,
            hasTools: false,
            hasImages: false,
            responseFormat: 'json_object',
            metadata: { team: 'search' },
          },
        },
      ],
      classifier: { target: { provider: 'qwen', model: 'qwen-turbo' }, timeoutMs: 300 },
      allowClientTier: false,
    },
    failover: {
      attemptTimeoutMs: 3000,
      ttftTimeoutMs: 2000,
      totalTimeoutMs: 30000,
      maxAttempts: 4,
      retries: {
        max: 1,
        initialBackoffMs: 200,
        maxBackoffMs: 2000,
        onStatus: [429, 500, 502, 503, 504],
      },
      escalate: true,
      hedgeAfterMs: 0,
    },
    latency: { interactiveTtftMs: 1500 },
    governance: {
      sensitive: {
        header: 'x-switchyard-sensitivity',
        patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'],
      },
      pool: { zeroDataRetention: true, trainsOnData: false, regions: ['eu', 'in-cluster'] },
    },
    budget: { monthlyUSD: 5000, downgradeAtPercent: 80, onExhausted: 'cheapest' },
    cache: {
      exact: { ttlSeconds: 3600 },
      semantic: { threshold: 0.95, ttlSeconds: 3600 },
    },
    quality: {
      judge: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      samplePercent: 5,
      tierSamplePercent: { premium: 1 },
      rubric: 'Correct, complete and concise; code must compile.',
      timeoutMs: 20000,
      floor: 7,
      demotion: { below: 5, restoreAbove: 6.5, minSamples: 20, window: 50, probationPercent: 5 },
      maxConcurrency: 2,
      queueSize: 100,
      export: { maxSamples: 1000, includeRequestText: false },
    },
  },
};

/** A PriceFeed that sets every spec field. */
export const FULL_PRICE_FEED = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'PriceFeed',
  metadata: { name: 'openrouter' },
  spec: {
    url: 'https://openrouter.ai/api/v1/models',
    format: 'openrouter',
    intervalMinutes: 60,
    timeoutSeconds: 30,
    maxSizeMiB: 16,
    maxChangeFactor: 3,
    auth: {
      secretRef: { name: 'openrouter', key: 'token' },
      header: 'Authorization',
      scheme: 'Bearer',
    },
  },
};

/** The full example of each kind, by kind. */
export const FULL_EXAMPLES = {
  ModelProvider: FULL_MODEL_PROVIDER,
  RoutePolicy: FULL_ROUTE_POLICY,
  PriceFeed: FULL_PRICE_FEED,
} as const;
