// A small monitored fleet for the dashboard and alert suites: a real control plane with the
// operator (behind a TCP gate the test can shut), two proxies in cluster mode sharing a real
// Redis, fake providers, and a real Prometheus scraping all three with the alert rules loaded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { startOperator, type RunningOperator } from '../../operator/main.ts';
import { watchClusterConfig, type ClusterWatch } from '../../proxy/cluster/watch-cluster-config.ts';
import { startProxy, type RunningProxy } from '../../proxy/proxy.ts';
import { RedisState } from '../../proxy/state/redis-state.ts';
import { ruleGroups } from '../../scripts/gen/monitoring/alert-rules.ts';
import { startFakeProvider, type FakeProvider } from '../fakes/index.ts';
import { makeTempDir, removeTempDir } from '../harness/processes.ts';
import { startPrometheus, type Prometheus } from '../harness/prometheus.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import {
  apiPort,
  applyYaml,
  FAST_OPERATOR,
  kubeconfigVia,
  startOperatorCluster,
  SYSTEM_NAMESPACE,
  waitFor,
  type OperatorCluster,
} from '../operator/operator-cluster.ts';
import { startTcpGate, type TcpGate } from '../operator/tcp-gate.ts';

/** API key every fake expects. */
export const FLEET_API_KEY = 'sk-fleet-SECRET-0123456789';

/** The namespace label Prometheus adds to every series, as Kubernetes discovery would. */
export const FLEET_NAMESPACE = 'ai';

/** A running fleet. */
export interface MonitoredFleet {
  cluster: OperatorCluster;
  operator: RunningOperator;
  /** The gate between the operator and the API server. */
  operatorGate: TcpGate;
  proxies: RunningProxy[];
  fakes: Record<'cheap' | 'backup' | 'claude', FakeProvider>;
  redis: RedisServer;
  prometheus: Prometheus;
  stop(): Promise<void>;
}

const CAPS = '[tools, json, streaming]';

function manifests(fakes: MonitoredFleet['fakes']): string {
  const provider = (
    name: string,
    url: string,
    api: string,
    models: string,
    failures = 5,
  ): string => `---
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: ${name}, namespace: apps }
spec:
  api: ${api}
  baseURL: ${url}
  auth: { secretRef: { name: keys, key: apiKey } }
  circuitBreaker: { consecutiveFailures: ${failures}, cooldownSeconds: 60 }
  healthCheck: { enabled: true, intervalSeconds: 5 }
  models:
${models}`;
  const policy = (alias: string, spec: string): string => `---
apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: ${alias}, namespace: apps }
spec:
  model: ${alias}
${spec}`;
  return [
    `apiVersion: v1
kind: Namespace
metadata: { name: apps }
---
apiVersion: v1
kind: Secret
metadata: { name: keys, namespace: apps }
stringData: { apiKey: ${FLEET_API_KEY} }`,
    provider(
      'cheap',
      fakes.cheap.url,
      'openai',
      `    - { name: small, contextWindow: 32000, pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 }, capabilities: ${CAPS} }`,
    ),
    provider(
      'backup',
      fakes.backup.url,
      'openai',
      `    - { name: medium, contextWindow: 128000, pricing: { inputPerMillion: 0.5, outputPerMillion: 1.5 }, capabilities: ${CAPS} }`,
      // Opens after two failures: the circuit test takes it down.
      2,
    ),
    provider(
      'claude',
      fakes.claude.url,
      'anthropic',
      `    - { name: sonnet, upstreamName: claude-sonnet-4-5, contextWindow: 200000, maxOutputTokens: 8000, pricing: { inputPerMillion: 3, outputPerMillion: 15 }, capabilities: ${CAPS} }`,
    ),
    policy(
      'auto',
      `  tiers:
    - { name: budget, strategy: ordered, targets: [{ provider: cheap, model: small }, { provider: backup, model: medium }] }
    - { name: premium, targets: [{ provider: claude, model: sonnet }] }
  classification:
    default: budget
    allowClientTier: true
    rules: [{ name: reasoning, tier: premium, match: { keywords: [step-by-step] } }]
  failover: { attemptTimeoutMs: 2000, ttftTimeoutMs: 2000, retries: { max: 1, initialBackoffMs: 10, maxBackoffMs: 50 } }
  budget: { monthlyUSD: 1000 }
  cache: { exact: { ttlSeconds: 600 } }`,
    ),
    // A classifier model decides between the tiers (the fakes answer classifier prompts).
    policy(
      'smart',
      `  tiers:
    - { name: budget, targets: [{ provider: cheap, model: small }] }
    - { name: premium, targets: [{ provider: claude, model: sonnet }] }
  classification:
    default: budget
    classifier: { target: { provider: cheap, model: small }, timeoutMs: 2000 }`,
    ),
    // One target and no retries: a scripted failure is the client's 502.
    policy(
      'solo',
      `  tiers: [{ name: only, targets: [{ provider: cheap, model: small }] }]
  failover: { retries: { max: 0 } }`,
    ),
    // The backup first: when it goes down, every request records a failure against it.
    policy(
      'steady',
      `  tiers: [{ name: main, strategy: ordered, targets: [{ provider: backup, model: medium }, { provider: cheap, model: small }] }]
  failover: { retries: { max: 0 } }`,
    ),
    // A cap so small that any traffic burns it thousands of times too fast.
    policy(
      'thrifty',
      `  tiers: [{ name: only, targets: [{ provider: claude, model: sonnet }] }]
  budget: { monthlyUSD: 0.01, onExhausted: cheapest }`,
    ),
    // The quality loop: every answer judged (by the premium model), a demotion rule, and an
    // experiment that sends half the traffic to a variant policy.
    policy(
      'judged',
      `  tiers: [{ name: budget, targets: [{ provider: cheap, model: small }] }]
  quality: { judge: { provider: claude, model: sonnet }, samplePercent: 100, demotion: { minSamples: 50 } }
  experiment: { variant: judged-variant, percent: 50, stickyBy: request }`,
    ),
    policy(
      'judged-variant',
      `  tiers: [{ name: budget, targets: [{ provider: cheap, model: small }] }]
  quality: { judge: { provider: claude, model: sonnet }, samplePercent: 100 }`,
    ),
    // A cap the first estimate already exceeds: requests are refused with 429.
    policy(
      'closed',
      `  tiers: [{ name: only, targets: [{ provider: claude, model: sonnet }] }]
  budget: { monthlyUSD: 0.0000001, onExhausted: reject }`,
    ),
  ].join('\n');
}

/**
 * The alert rules with every `for:` cut to one second: the expressions are the shipped ones, the
 * durations are what promtool's unit tests cover, and no test can wait five minutes.
 */
function fastRulesFile(dir: string): string {
  const { groups } = ruleGroups();
  const fast = groups.map((group) => ({
    ...group,
    rules: group.rules.map((rule) =>
      typeof rule === 'object' && rule !== null && 'alert' in rule ? { ...rule, for: '1s' } : rule,
    ),
  }));
  const path = join(dir, 'switchyard-rules.fast.yaml');
  writeFileSync(path, dump({ groups: fast }, { lineWidth: -1 }));
  return path;
}

async function startClusterProxy(
  cluster: OperatorCluster,
  redis: RedisServer,
): Promise<{ proxy: RunningProxy; watch: ClusterWatch }> {
  const state = await RedisState.connect(redis.url);
  const proxy = await startProxy({
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    log: () => {},
    state,
  });
  const watch = watchClusterConfig({
    kubeconfig: cluster.proxyKubeconfig,
    namespace: SYSTEM_NAMESPACE,
    store: proxy.ctx.config,
    credentials: proxy.ctx.credentials,
    log: () => {},
    timing: { initialBackoffMs: 100, maxBackoffMs: 500 },
  });
  return { proxy, watch };
}

/** Starts the fleet and waits until both proxies serve the operator's config and Prometheus scrapes all three. */
export async function startMonitoredFleet(): Promise<MonitoredFleet> {
  const dir = makeTempDir('monitoring-fleet');
  const cluster = await startOperatorCluster();
  const [cheap, backup, claude] = await Promise.all([
    startFakeProvider({ api: 'openai', name: 'cheap', apiKey: FLEET_API_KEY }),
    startFakeProvider({ api: 'openai', name: 'backup', apiKey: FLEET_API_KEY }),
    startFakeProvider({ api: 'anthropic', name: 'claude', apiKey: FLEET_API_KEY }),
  ]);
  const fakes = { cheap, backup, claude };
  const redis = await startRedis();
  await applyYaml(cluster.cp, manifests(fakes));
  const operatorGate = await startTcpGate('127.0.0.1', apiPort(cluster.cp));
  const operator = await startOperator({
    kubeconfig: kubeconfigVia(cluster.cp, cluster.operatorKubeconfig, operatorGate.port),
    namespace: SYSTEM_NAMESPACE,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    ...FAST_OPERATOR,
  });
  const started = [
    await startClusterProxy(cluster, redis),
    await startClusterProxy(cluster, redis),
  ];
  await Promise.all(started.map(({ watch }) => watch.ready));
  const proxies = started.map(({ proxy }) => proxy);
  const targets = [
    ...proxies.map((proxy) => new URL(proxy.metricsUrl ?? '').host),
    `127.0.0.1:${operator.port}`,
  ];
  const prometheus = await startPrometheus({
    scrapeTargets: targets,
    scrapeIntervalMs: 500,
    targetLabels: { namespace: FLEET_NAMESPACE },
    ruleFiles: [fastRulesFile(dir)],
  });
  await prometheus.waitFor('up', (r) => r.result.filter((s) => s.value[1] === '1').length === 3);
  return {
    cluster,
    operator,
    operatorGate,
    proxies,
    fakes,
    redis,
    prometheus,
    async stop() {
      await prometheus.stop();
      for (const { watch, proxy } of started) {
        await watch.stop();
        await proxy.close();
      }
      await operator.stop();
      await operatorGate.close();
      await Promise.all([cheap, backup, claude].map((fake) => fake.close()));
      await redis.stop();
      await cluster.cp.stop();
      removeTempDir(dir);
    },
  };
}

/** Waits until `check` holds, polling Prometheus-speed (every 250 ms). */
export function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  return waitFor(what, check, timeoutMs, 250);
}
