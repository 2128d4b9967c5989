// The custom resources the benchmark applies. Every provider points at the one loopback fake
// provider, so the proxies can prove a change by answering a request through it.

/** The namespace of the small set-up and of the policy the propagation benchmark edits. */
export const BENCH_NAMESPACE = 'bench';

/** The RoutePolicy every propagation change edits. */
export const EDITED_POLICY = 'edited';

/** Shape of the 1,000-object set. */
export interface ScaleShape {
  namespaces: number;
  providersPerNamespace: number;
  policiesPerNamespace: number;
}

/** 10 namespaces × (20 ModelProviders + 80 RoutePolicies) = 1,000 custom resources. */
export const SCALE_SHAPE: ScaleShape = {
  namespaces: 10,
  providersPerNamespace: 20,
  policiesPerNamespace: 80,
};

const API_VERSION = 'switchyard.dev/v1alpha1';

/** The namespace, Secret, ModelProvider and edited RoutePolicy of the small set-up. */
export function smallSetup(fakeUrl: string): object {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'fake-key', namespace: BENCH_NAMESPACE },
        stringData: { apiKey: 'sk-bench-not-a-secret' },
      },
      {
        apiVersion: API_VERSION,
        kind: 'ModelProvider',
        metadata: { name: 'fake', namespace: BENCH_NAMESPACE },
        spec: {
          api: 'openai',
          baseURL: fakeUrl,
          auth: { secretRef: { name: 'fake-key', key: 'apiKey' } },
          models: ['m-small', 'm-large'].map((name, rank) => ({
            name,
            contextWindow: 32_000 * (rank + 1),
            pricing: { inputPerMillion: 0.1 * (rank + 1), outputPerMillion: 0.4 * (rank + 1) },
            capabilities: ['json', 'streaming'],
          })),
        },
      },
      editedPolicy('edit-0', 'kw-0'),
    ],
  };
}

/** The edited RoutePolicy with alias `alias` and a classification rule on `keyword`. */
export function editedPolicy(alias: string, keyword: string): object {
  return {
    apiVersion: API_VERSION,
    kind: 'RoutePolicy',
    metadata: { name: EDITED_POLICY, namespace: BENCH_NAMESPACE },
    spec: {
      model: alias,
      tiers: [
        { name: 'budget', targets: [{ provider: 'fake', model: 'm-small' }] },
        { name: 'premium', targets: [{ provider: 'fake', model: 'm-large' }] },
      ],
      classification: {
        default: 'budget',
        rules: [{ name: 'keyword', tier: 'premium', match: { keywords: [keyword] } }],
      },
    },
  };
}

/** Namespace names of the scale set. */
export function scaleNamespaces(shape: ScaleShape): string[] {
  return Array.from({ length: shape.namespaces }, (_, index) => `bench-team-${index}`);
}

/** The Secret holding one key per provider of a namespace. */
export function scaleSecret(namespace: string, shape: ScaleShape): object {
  const data = Object.fromEntries(
    Array.from({ length: shape.providersPerNamespace }, (_, index) => [
      `k${index}`,
      Buffer.from(`sk-bench-${namespace}-${index}`).toString('base64'),
    ]),
  );
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys', namespace }, data };
}

/** One ModelProvider of the scale set: three models, pointing at the fake provider. */
export function scaleProvider(namespace: string, index: number, fakeUrl: string): object {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelProvider',
    // Provider names are unique across the fleet (proxies expose `<provider>/<model>`).
    metadata: { name: `${namespace}-p${index}`, namespace },
    spec: {
      api: 'openai',
      baseURL: fakeUrl,
      auth: { secretRef: { name: 'keys', key: `k${index}` } },
      dataPolicy: { trainsOnData: false, zeroDataRetention: index % 2 === 0, regions: ['eu'] },
      limits: { requestsPerMinute: 600, maxConcurrency: 32 },
      models: ['small', 'medium', 'large'].map((size, rank) => ({
        name: `model-${size}`,
        contextWindow: 32_768 * (rank + 1),
        maxOutputTokens: 4096,
        pricing: { inputPerMillion: 0.1 * (rank + 1), outputPerMillion: 0.4 * (rank + 1) },
        capabilities: ['tools', 'json', 'streaming'],
        tags: ['general', size],
      })),
    },
  };
}

/** The classification rules of a scale-set policy; `keyword` is what the churn edits. */
export function scaleRules(keyword: string): object[] {
  return [
    { name: 'reasoning', tier: 'premium', match: { keywords: [keyword, 'prove'] } },
    { name: 'long', tier: 'premium', match: { minPromptTokens: 8000 } },
  ];
}

/** One RoutePolicy of the scale set: two tiers over four providers of its namespace. */
export function scalePolicy(namespace: string, index: number, shape: ScaleShape): object {
  const target = (offset: number, size: string): object => ({
    provider: `${namespace}-p${(index + offset) % shape.providersPerNamespace}`,
    model: `model-${size}`,
  });
  return {
    apiVersion: API_VERSION,
    kind: 'RoutePolicy',
    metadata: { name: `route-${index}`, namespace },
    spec: {
      model: `${namespace}-alias-${index}`,
      tiers: [
        { name: 'budget', strategy: 'cheapest', targets: [target(0, 'small'), target(1, 'small')] },
        { name: 'premium', strategy: 'ordered', targets: [target(2, 'large'), target(3, 'large')] },
      ],
      classification: { default: 'budget', rules: scaleRules('step by step') },
      failover: {
        attemptTimeoutMs: 5000,
        ttftTimeoutMs: 2000,
        retries: { max: 1 },
        escalate: true,
      },
    },
  };
}
