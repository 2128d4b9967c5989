// Live state in status, end to end: a real kube-apiserver + etcd, the operator reading a real
// Redis, two proxies in cluster mode following what it publishes, and the fakes. Status shows
// health and spend (and `kubectl get` prints them), a degrading provider is demoted on both
// proxies with Events on its ModelProvider and restored after it recovers, an experiment splits
// 2,000 requests near its percentage and reports what was counted, and the state survives the
// proxies going away and the operator restarting.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PolicyLiveStatus, ProviderLiveStatus } from '../../core/api/live-status.ts';
import type { RunningOperator } from '../../operator/main.ts';
import { watchClusterConfig, type ClusterWatch } from '../../proxy/cluster/watch-cluster-config.ts';
import { silentSink } from '../../proxy/log/request-log.ts';
import { startProxy, type RunningProxy } from '../../proxy/proxy.ts';
import { RedisState } from '../../proxy/state/redis-state.ts';
import { startFakeProvider, type FakeProvider } from '../fakes/index.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import {
  applyYaml,
  startOperatorCluster,
  startTestOperator,
  SYSTEM_NAMESPACE,
  waitFor,
  type OperatorCluster,
} from '../operator/operator-cluster.ts';
import { chat } from './quality-fleet.ts';

const KEY = 'sk-test-live-status-0123456789';
const LIVE = { liveIntervalMs: 250, liveMinWriteIntervalMs: 1000 };

let cluster: OperatorCluster;
let redis: RedisServer;
let operator: RunningOperator;
let fakes: Record<'cheap' | 'backup' | 'judge', FakeProvider>;
let proxies: { proxy: RunningProxy; watch: ClusterWatch }[] = [];

function manifests(): string {
  const provider = (
    name: string,
    api: string,
    url: string,
    [model, input, output]: [string, number, number],
  ) => `
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: ${name}, namespace: ai }
spec:
  api: ${api}
  baseURL: ${url}
  auth: { secretRef: { name: keys } }
  models:
    - { name: ${model}, contextWindow: 200000, pricing: { inputPerMillion: ${input}, outputPerMillion: ${output} }, capabilities: [streaming, json, tools] }
`;
  return [
    `apiVersion: v1
kind: Secret
metadata: { name: keys, namespace: ai }
stringData: { apiKey: ${KEY} }`,
    provider('cheap', 'openai', fakes.cheap.url, ['small', 0.1, 0.4]),
    provider('backup', 'openai', fakes.backup.url, ['medium', 0.5, 1.5]),
    provider('judge', 'anthropic', fakes.judge.url, ['sonnet', 3, 15]),
    `apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: auto, namespace: ai }
spec:
  model: auto
  tiers:
    - { name: budget, strategy: ordered, targets: [{ provider: cheap, model: small }, { provider: backup, model: medium }] }
    - { name: premium, targets: [{ provider: judge, model: sonnet }] }
  budget: { monthlyUSD: 10 }
  quality:
    judge: { provider: judge, model: sonnet }
    samplePercent: 100
    tierSamplePercent: { premium: 0 }
    demotion: { below: 5, restoreAbove: 7, minSamples: 4, window: 4, probationPercent: 25 }
    maxConcurrency: 1`,
    `apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: exp, namespace: ai }
spec:
  model: exp
  tiers: [{ name: budget, targets: [{ provider: cheap, model: small }] }]
  experiment: { name: backup-first, variant: exp-backup, percent: 30, stickyBy: request }`,
    `apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: exp-backup, namespace: ai }
spec:
  model: exp-backup
  tiers: [{ name: budget, targets: [{ provider: backup, model: medium }] }]`,
  ].join('\n---\n');
}

async function startClusterProxy(i: number): Promise<void> {
  const proxy = await startProxy({
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    log: silentSink,
    drainMs: 1000,
    state: await RedisState.connect(redis.url),
    pod: `proxy-${i}-${Date.now()}`,
    liveFlushMs: 100,
    standingsRefreshMs: 100,
  });
  const watch = watchClusterConfig({
    kubeconfig: cluster.proxyKubeconfig,
    namespace: SYSTEM_NAMESPACE,
    store: proxy.ctx.config,
    credentials: proxy.ctx.credentials,
    log: silentSink,
  });
  await watch.ready;
  proxies.push({ proxy, watch });
}

async function stopProxies(): Promise<void> {
  for (const { proxy, watch } of proxies) {
    await watch.stop();
    await proxy.close();
  }
  proxies = [];
}

async function live<T>(kind: 'mp' | 'rp', name: string): Promise<T | undefined> {
  const out = await cluster.cp.kubectlOk(['get', kind, name, '-n', 'ai', '-o', 'json']);
  return (JSON.parse(out) as { status?: { live?: T } }).status?.live;
}

const ask = (i: number, model: string, content = `question ${i} ${Math.random()}`) =>
  chat(proxies[i % proxies.length]!.proxy, { model, messages: [{ role: 'user', content }] });

before(async () => {
  [cluster, redis] = await Promise.all([startOperatorCluster(), startRedis()]);
  const started = await Promise.all(
    (['cheap', 'backup', 'judge'] as const).map((name) =>
      startFakeProvider({ api: name === 'judge' ? 'anthropic' : 'openai', name, apiKey: KEY }),
    ),
  );
  fakes = { cheap: started[0]!, backup: started[1]!, judge: started[2]! };
  await cluster.cp.kubectlOk(['create', 'namespace', 'ai']);
  await applyYaml(cluster.cp, manifests());
  operator = await startTestOperator(cluster, { redisUrl: redis.url, ...LIVE });
  await waitFor('the first reconcile', () => operator.lastReconcile());
  await startClusterProxy(0);
  await startClusterProxy(1);
});

after(async () => {
  await stopProxies();
  await operator?.stop();
  await Promise.all(Object.values(fakes ?? {}).map((f) => f.close()));
  await redis?.stop();
  await cluster?.cp.stop();
});

test('status.live shows the fleet: proxies, health and spend of providers, spend and tiers of policies; kubectl get prints them', async () => {
  let spent = 0;
  for (let i = 0; i < 8; i++) {
    const answer = await ask(i, 'auto');
    assert.equal(answer.status, 200);
    spent += Number(answer.headers.get('x-switchyard-cost-usd'));
  }
  const auto = await waitFor('rp/auto counted 8 requests and the judge', async () => {
    const s = await live<PolicyLiveStatus>('rp', 'auto');
    return s !== undefined &&
      s.requests === 8 &&
      s.judgeSpendUSD > 0 &&
      s.successRatePercent === 100
      ? s
      : undefined;
  });
  assert.equal(auto.proxies, 2);
  assert.ok(
    Math.abs(auto.spendUSD - auto.judgeSpendUSD - spent) < 1e-5,
    `${auto.spendUSD} vs ${spent}`,
  );
  assert.equal(auto.budgetUSD, 10);
  assert.deepEqual(
    auto.tiers.map((t) => [t.name, t.sharePercent]),
    [
      ['budget', 100],
      ['premium', 0],
    ],
  );
  const cheap = await waitFor('mp/cheap healthy with its spend', async () => {
    const s = await live<ProviderLiveStatus>('mp', 'cheap');
    return s?.health === 'Healthy' && s.models[0]?.quality?.samples === 4 ? s : undefined;
  });
  assert.equal(cheap.proxies, 2);
  assert.equal(cheap.models[0]?.requests, 8);
  assert.equal(cheap.models[0]?.errorRatePercent, 0);
  assert.ok((cheap.models[0]?.p95LatencyMs ?? -1) >= 0);
  assert.equal(cheap.models[0]?.quality?.score, 9);
  assert.ok(Math.abs(cheap.spendUSD - spent) < 1e-5);
  const table = await cluster.cp.kubectlOk(['get', 'mp', '-n', 'ai']);
  assert.match(table.split('\n')[0] ?? '', /HEALTH\s+DEMOTED\s+SPEND/);
  assert.match(table, /cheap\s+openai\s+1\s+Healthy\s+0\s+0\.\d+/);
  const policies = await cluster.cp.kubectlOk(['get', 'rp', '-n', 'ai']);
  assert.match(policies.split('\n')[0] ?? '', /SPEND\s+BUDGET%/);
});

test('a degrading provider is demoted on both proxies, status and Events say so, and it is restored once it recovers', async () => {
  fakes.cheap.setDefault({ degraded: true });
  for (let i = 0; i < 4; i++) await ask(i, 'auto');
  await Promise.all(proxies.map((p) => p.proxy.fleet.observer.idle()));
  for (const { proxy } of proxies) {
    await waitFor(
      'a proxy sees the demotion',
      () => proxy.ctx.standings.isDemoted('ai/auto', 'cheap/small') || undefined,
    );
  }
  const demoted = await waitFor('mp/cheap Demoted', async () => {
    const s = await live<ProviderLiveStatus>('mp', 'cheap');
    return s?.health === 'Demoted' ? s : undefined;
  });
  assert.deepEqual(demoted.models[0]?.demotedIn, ['ai/auto']);
  assert.equal(demoted.demotedModels, 1);
  assert.match(
    await cluster.cp.kubectlOk(['get', 'mp', 'cheap', '-n', 'ai']),
    /cheap\s+openai\s+1\s+Demoted\s+1/,
  );
  const event = await waitFor('a ModelDemoted Event', async () => {
    const out = await cluster.cp.kubectlOk([
      'get',
      'events',
      '-n',
      'ai',
      '--field-selector',
      'reason=ModelDemoted',
      '-o',
      'json',
    ]);
    return (
      JSON.parse(out) as {
        items: { message: string; type: string; involvedObject: { name: string } }[];
      }
    ).items[0];
  });
  assert.equal(event.type, 'Warning');
  assert.equal(event.involvedObject.name, 'cheap');
  assert.match(
    event.message,
    /cheap\/small demoted in RoutePolicy ai\/auto .* mean judged score [0-4]\.\d\d over the last 4 samples fell below 5/,
  );

  fakes.cheap.setDefault({});
  await waitFor(
    'cheap/small restored',
    async () => {
      await ask(Math.floor(Math.random() * 2), 'auto');
      await Promise.all(proxies.map((p) => p.proxy.fleet.observer.idle()));
      return (
        proxies.every((p) => !p.proxy.ctx.standings.isDemoted('ai/auto', 'cheap/small')) ||
        undefined
      );
    },
    30_000,
  );
  await waitFor('a ModelRestored Event and health back', async () => {
    const out = await cluster.cp.kubectlOk([
      'get',
      'events',
      '-n',
      'ai',
      '--field-selector',
      'reason=ModelRestored',
      '-o',
      'name',
    ]);
    const s = await live<ProviderLiveStatus>('mp', 'cheap');
    return out.trim() !== '' && s?.health === 'Healthy' ? true : undefined;
  });
});

test('an experiment splits 2,000 requests within 3 points of its percentage and its report matches what was counted', async () => {
  const arms = { control: { n: 0, cost: 0 }, variant: { n: 0, cost: 0 } };
  const updates = new Set<string>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const s = await live<PolicyLiveStatus>('rp', 'exp');
      if (s !== undefined) updates.add((s as { updatedAt?: string }).updatedAt ?? '');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < 2000) {
      const i = next++;
      const answer = await ask(i, 'exp');
      assert.equal(answer.status, 200);
      const arm = answer.headers.get('x-switchyard-arm') as 'control' | 'variant';
      assert.equal(answer.headers.get('x-switchyard-experiment'), 'backup-first');
      assert.equal(
        answer.headers.get('x-switchyard-provider'),
        arm === 'variant' ? 'backup' : 'cheap',
      );
      arms[arm].n++;
      arms[arm].cost += Number(answer.headers.get('x-switchyard-cost-usd'));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const share = (100 * arms.variant.n) / 2000;
  assert.ok(Math.abs(share - 30) <= 3, `the variant got ${share} %`);
  const report = await waitFor('the report counts every request', async () => {
    const s = await live<PolicyLiveStatus>('rp', 'exp');
    const e = s?.experiment;
    return e?.arms[0]?.requests === arms.control.n && e.arms[1]?.requests === arms.variant.n
      ? e
      : undefined;
  });
  watching = false;
  await watcher;
  const [control, variant] = report.arms;
  for (const [name, reported, truth] of [
    ['control', control, arms.control],
    ['variant', variant, arms.variant],
  ] as const) {
    assert.ok(
      Math.abs((reported?.costPerRequestUSD ?? 0) - truth.cost / truth.n) < 1e-7,
      `${name}: ${reported?.costPerRequestUSD} vs ${truth.cost / truth.n}`,
    );
    assert.equal(reported?.errors, 0);
    assert.equal(reported?.successes, truth.n);
  }
  assert.equal(report.variantSharePercent, Math.round(share * 100) / 100);
  const difference = report.difference?.costPerRequestUSD;
  const truthDiff = arms.variant.cost / arms.variant.n - arms.control.cost / arms.control.n;
  assert.ok(
    difference !== undefined && difference.low <= truthDiff && truthDiff <= difference.high,
  );
  assert.ok(difference.estimate > 0, 'the backup costs more per request');
  // Written at most once a second here (liveMinWriteIntervalMs), whatever the traffic.
  const stamps = [...updates]
    .filter((u) => u !== '')
    .map((u) => Date.parse(u))
    .sort((a, b) => a - b);
  for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i]! - stamps[i - 1]! >= 1000);
});

test('with every proxy gone the status keeps the month and says no proxy is up; a restarted operator keeps it without rewriting it', async () => {
  const before = await live<PolicyLiveStatus>('rp', 'auto');
  await stopProxies();
  const gone = await waitFor('rp/auto with no proxy', async () => {
    const s = await live<PolicyLiveStatus>('rp', 'auto');
    return s?.proxies === 0 ? s : undefined;
  });
  assert.equal(gone.requests, before?.requests, 'the month survives the fleet');
  assert.equal(gone.spendUSD, before?.spendUSD);
  await operator.stop();
  const resourceVersion = async () =>
    (
      await cluster.cp.kubectlOk([
        'get',
        'rp',
        'auto',
        '-n',
        'ai',
        '-o',
        'jsonpath={.metadata.resourceVersion}',
      ])
    ).trim();
  const version = await resourceVersion();
  operator = await startTestOperator(cluster, { redisUrl: redis.url, ...LIVE });
  await waitFor(
    'a live round of the new operator',
    async () => (await operator.live?.runOnce()) ?? undefined,
  );
  await operator.live?.runOnce();
  assert.equal(await resourceVersion(), version, 'an unchanged live status is not rewritten');
  await startClusterProxy(2);
  await waitFor(
    'the new proxy is counted',
    async () => (await live<ProviderLiveStatus>('mp', 'judge'))?.proxies === 1 || undefined,
  );
});
