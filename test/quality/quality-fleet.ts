// Shared set-up of the quality-loop suites: a real Redis, fakes for a cheap model that can be made
// to degrade, a backup, and a premium model that also judges; and two proxies sharing the Redis,
// both serving the same compiled manifests, with fast flush and refresh timers.
import { compile } from '../../core/compile/compile.ts';
import type { RawObject } from '../../core/compile/snapshot.ts';
import { startProxy, type RunningProxy } from '../../proxy/proxy.ts';
import { RedisState } from '../../proxy/state/redis-state.ts';
import { startFakeProvider, type FakeProvider } from '../fakes/index.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { policy, provider, TEST_API_KEY } from '../proxy/proxy-fixture.ts';

export { policy, provider, TEST_API_KEY };

/** The fakes and two proxies of a quality test. */
export interface QualityFleet {
  redis: RedisServer;
  fakes: { cheap: FakeProvider; backup: FakeProvider; judge: FakeProvider };
  /** The providers every config has: cheap/small, backup/medium, judge/sonnet. */
  providers: RawObject[];
  proxies: [RunningProxy, RunningProxy];
  logs: Record<string, unknown>[][];
  /** Compiles `policies` (with the providers, plus `extraProviders`) and loads it on both proxies. */
  apply(policies: RawObject[], extraProviders?: RawObject[]): void;
  /** Waits until both proxies have judged everything they queued. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const CAPS = ['tools', 'json', 'streaming'];

/** Starts Redis, the fakes and two proxies. */
export async function startQualityFleet(): Promise<QualityFleet> {
  const redis = await startRedis();
  const [cheap, backup, judge] = await Promise.all([
    startFakeProvider({ api: 'openai', name: 'cheap', apiKey: TEST_API_KEY }),
    startFakeProvider({ api: 'openai', name: 'backup', apiKey: TEST_API_KEY }),
    startFakeProvider({ api: 'anthropic', name: 'judge', apiKey: TEST_API_KEY }),
  ]);
  const model = (name: string, input: number, output: number) => ({
    name,
    contextWindow: 200000,
    pricing: { inputPerMillion: input, outputPerMillion: output },
    capabilities: CAPS,
  });
  const providers = [
    provider('cheap', 'openai', cheap.url, [model('small', 0.1, 0.4)]),
    provider('backup', 'openai', backup.url, [model('medium', 0.5, 1.5)]),
    provider('judge', 'anthropic', judge.url, [model('sonnet', 3, 15)]),
  ];
  const logs: Record<string, unknown>[][] = [[], []];
  const startOne = async (i: number): Promise<RunningProxy> => {
    const proxy = await startProxy({
      port: 0,
      metricsPort: 0,
      host: '127.0.0.1',
      log: (line) => logs[i]?.push(line),
      drainMs: 1000,
      state: await RedisState.connect(redis.url),
      pod: `proxy-${i}`,
      liveFlushMs: 100,
      standingsRefreshMs: 100,
    });
    proxy.ctx.credentials.replace(new Map([['ai/keys/apiKey', TEST_API_KEY]]));
    return proxy;
  };
  const proxies: [RunningProxy, RunningProxy] = [await startOne(0), await startOne(1)];
  return {
    redis,
    fakes: { cheap, backup, judge },
    providers,
    proxies,
    logs,
    apply(policies, extraProviders = []) {
      const result = compile({
        providers: [...providers, ...extraProviders],
        policies,
        secrets: [{ namespace: 'ai', name: 'keys', keys: ['apiKey'] }],
      });
      const bad = result.statuses.filter((s) => s.conditions.some((c) => c.status !== 'True'));
      if (bad.length > 0) throw new Error(`test manifests do not compile: ${JSON.stringify(bad)}`);
      for (const proxy of proxies) {
        const loaded = proxy.ctx.config.swap(result.config);
        if (!loaded.ok) throw new Error(loaded.error);
      }
    },
    async settle() {
      await Promise.all(proxies.map((p) => p.fleet.observer.idle()));
    },
    async close() {
      await Promise.all(proxies.map((p) => p.close()));
      await Promise.all([cheap, backup, judge].map((f) => f.close()));
      await redis.stop();
    },
  };
}

/** A chat completion through a proxy; the body and the receipt headers. */
export async function chat(
  proxy: RunningProxy,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown>; text: string }> {
  const res = await fetch(`${proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a stream
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Polls until `check` holds, or fails naming `what`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
