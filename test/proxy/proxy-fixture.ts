import { compile } from '../../core/compile/compile.ts';
import type { RawObject } from '../../core/compile/snapshot.ts';
import { startProxy, type RunningProxy, type StartProxyOptions } from '../../proxy/proxy.ts';
import type { SharedState } from '../../proxy/state/shared-state.ts';
import { startFakeProvider, type FakeApi, type FakeProvider } from '../fakes/index.ts';

/** API key every fake expects and every provider sends, to prove keys arrive and never leak. */
export const TEST_API_KEY = 'sk-test-SECRET-never-in-logs-0123456789';

/** A proxy in front of one fake per API, with a three-tier `auto` policy and a few extras. */
export interface ProxyFixture {
  proxy: RunningProxy;
  fakes: Record<'cheap' | 'backup' | 'claude' | 'gemini', FakeProvider>;
  logs: Record<string, unknown>[];
  /** Recompiles with extra or replaced policies/providers and swaps the config in. */
  apply(extra: { providers?: RawObject[]; policies?: RawObject[] }): void;
  close(): Promise<void>;
}

export function provider(
  name: string,
  api: FakeApi,
  baseURL: string,
  models: Record<string, unknown>[],
  dataPolicy: Record<string, unknown> = {},
): RawObject {
  return {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'ModelProvider',
    metadata: { name, namespace: 'ai', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      api,
      baseURL,
      auth: { secretRef: { name: 'keys', key: 'apiKey' } },
      dataPolicy,
      circuitBreaker: { consecutiveFailures: 2, cooldownSeconds: 30 },
      models,
    },
  };
}

/** A RoutePolicy object for tests. */
export function policy(name: string, spec: Record<string, unknown>): RawObject {
  return {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'RoutePolicy',
    metadata: { name, namespace: 'ai', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec,
  };
}

const CAPS = ['tools', 'json', 'vision', 'streaming'];

/** Starts the fakes and a proxy serving them. */
export async function startProxyFixture(
  options: { state?: SharedState; proxy?: Partial<StartProxyOptions> } = {},
): Promise<ProxyFixture> {
  const [cheap, backup, claude, gemini] = await Promise.all([
    startFakeProvider({ api: 'openai', name: 'cheap', apiKey: TEST_API_KEY }),
    startFakeProvider({ api: 'openai', name: 'backup', apiKey: TEST_API_KEY }),
    startFakeProvider({ api: 'anthropic', name: 'claude', apiKey: TEST_API_KEY }),
    startFakeProvider({ api: 'gemini', name: 'gemini', apiKey: TEST_API_KEY }),
  ]);
  const providers: RawObject[] = [
    provider('cheap', 'openai', cheap.url, [
      {
        name: 'small',
        contextWindow: 32000,
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 },
        capabilities: CAPS,
        tags: ['code'],
      },
      {
        name: 'embed',
        contextWindow: 8000,
        pricing: { inputPerMillion: 0.02, outputPerMillion: 0 },
        capabilities: ['embeddings'],
      },
    ]),
    provider(
      'backup',
      'openai',
      backup.url,
      [
        {
          name: 'medium',
          contextWindow: 128000,
          pricing: { inputPerMillion: 0.5, outputPerMillion: 1.5 },
          capabilities: CAPS,
        },
      ],
      {
        trainsOnData: false,
        zeroDataRetention: true,
        regions: ['eu'],
      },
    ),
    provider('claude', 'anthropic', claude.url, [
      {
        name: 'sonnet',
        upstreamName: 'claude-sonnet-4-5',
        contextWindow: 200000,
        maxOutputTokens: 64000,
        pricing: {
          inputPerMillion: 3,
          outputPerMillion: 15,
          cachedInputPerMillion: 0.3,
          cacheWritePerMillion: 3.75,
        },
        capabilities: CAPS,
      },
    ]),
    provider('gemini', 'gemini', gemini.url, [
      {
        name: 'flash',
        upstreamName: 'gemini-2.5-flash',
        contextWindow: 1000000,
        pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5 },
        capabilities: CAPS,
      },
    ]),
  ];
  const policies: RawObject[] = [
    policy('auto', {
      model: 'auto',
      tiers: [
        {
          name: 'budget',
          strategy: 'ordered',
          targets: [
            { provider: 'cheap', model: 'small' },
            { provider: 'backup', model: 'medium' },
          ],
        },
        {
          name: 'standard',
          strategy: 'ordered',
          targets: [{ provider: 'gemini', model: 'flash' }],
        },
        {
          name: 'premium',
          strategy: 'ordered',
          targets: [{ provider: 'claude', model: 'sonnet' }],
        },
      ],
      classification: {
        default: 'budget',
        rules: [{ name: 'reasoning', tier: 'premium', match: { keywords: ['step-by-step'] } }],
      },
      failover: {
        attemptTimeoutMs: 1500,
        ttftTimeoutMs: 1000,
        totalTimeoutMs: 8000,
        retries: { max: 0, initialBackoffMs: 10, maxBackoffMs: 100 },
      },
      governance: {
        sensitive: { patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'] },
        pool: { zeroDataRetention: true, trainsOnData: false, regions: ['eu'] },
      },
    }),
  ];
  const logs: Record<string, unknown>[] = [];
  const proxy = await startProxy({
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    log: (line) => logs.push(line),
    maxBodyBytes: 64 * 1024,
    drainMs: 2000,
    ...(options.state === undefined ? {} : { state: options.state }),
    ...options.proxy,
  });
  proxy.ctx.credentials.replace(new Map([['ai/keys/apiKey', TEST_API_KEY]]));
  const secrets = [{ namespace: 'ai', name: 'keys', keys: ['apiKey'] }];
  const apply = (extra: { providers?: RawObject[]; policies?: RawObject[] }): void => {
    const merge = (base: RawObject[], more: RawObject[] = []) => [
      ...base.filter((b) => !more.some((m) => m.metadata.name === b.metadata.name)),
      ...more,
    ];
    const result = compile({
      providers: merge(providers, extra.providers),
      policies: merge(policies, extra.policies),
      secrets,
    });
    const bad = result.statuses.filter((s) => s.conditions.some((c) => c.status !== 'True'));
    if (bad.length > 0) throw new Error(`test manifests do not compile: ${JSON.stringify(bad)}`);
    const loaded = proxy.ctx.config.swap(result.config);
    if (!loaded.ok) throw new Error(loaded.error);
  };
  apply({});
  return {
    proxy,
    fakes: { cheap, backup, claude, gemini },
    logs,
    apply,
    async close() {
      await proxy.close();
      await Promise.all([cheap, backup, claude, gemini].map((f) => f.close()));
    },
  };
}
