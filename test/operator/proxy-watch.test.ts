// Cluster mode of the proxy against a real control plane: two proxies follow what the operator
// publishes, swap configs under load without failing a request, refuse a bad config, ride out an
// unreachable API server and catch up when it returns — all as the switchyard-proxy service
// account, which may read nothing but the two published objects.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunningOperator } from '../../operator/main.ts';
import { watchClusterConfig } from '../../proxy/cluster/watch-cluster-config.ts';
import { ConfigStore } from '../../proxy/config/config-store.ts';
import { CredentialStore } from '../../proxy/config/credential-store.ts';
import { silentSink } from '../../proxy/log/request-log.ts';
import type { RunningProxy } from '../../proxy/proxy.ts';
import { startFakeProvider, type FakeProvider } from '../fakes/index.ts';
import {
  apiPort,
  applyYaml,
  kubeconfigVia,
  readPublished,
  startOperatorCluster,
  startTestOperator,
  SYSTEM_NAMESPACE,
  waitFor,
  type OperatorCluster,
} from './operator-cluster.ts';
import { startTcpGate, type TcpGate } from './tcp-gate.ts';
import { startClusterProxies, stopClusterProxies, type ClusterProxy } from './cluster-proxies.ts';
import { repoRoot, startSwitchyard } from '../cli/run-switchyard.ts';
import { freePorts } from '../harness/ports.ts';

/** The bearer token in one of the harness's kubeconfigs (JSON). */
function tokenOf(kubeconfigPath: string): string {
  const kubeconfig = JSON.parse(readFileSync(kubeconfigPath, 'utf8')) as {
    users: { user: { token: string } }[];
  };
  return kubeconfig.users[0]!.user.token;
}

/**
 * A proxy in cluster mode with in-cluster access from `sa` (token and CA, as mounted in a pod),
 * recording every module it resolves; prints the config hash it loaded and any client-node or
 * manifest-mode module it resolved.
 */
function inClusterScript(sa: string, env: Record<string, string>): string {
  const module = (path: string): string => JSON.stringify(join(repoRoot, path));
  return `
import { registerHooks } from 'node:module';
const resolved = [];
registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); resolved.push(r.url); return r; } });
const { startProxy } = await import(${module('proxy/proxy.ts')});
const { watchClusterConfig } = await import(${module('proxy/cluster/watch-cluster-config.ts')});
const { inCluster } = await import(${module('proxy/cluster/cluster-access.ts')});
const proxy = await startProxy({ port: 0, metricsPort: null, host: '127.0.0.1', log: () => {} });
const watch = watchClusterConfig({
  access: inCluster(${JSON.stringify(sa)}, ${JSON.stringify(env)}),
  namespace: ${JSON.stringify(SYSTEM_NAMESPACE)},
  store: proxy.ctx.config,
  credentials: proxy.ctx.credentials,
  log: () => {},
});
await watch.ready;
await watch.stop();
await proxy.close();
console.log(JSON.stringify({
  hash: proxy.ctx.config.current.config.configHash,
  clientNode: resolved.filter((url) => url.includes('@kubernetes/client-node')),
  manifestMode: resolved.filter((url) => /js-yaml|core\\/compile\\/compile\\.ts|\\/cli\\//.test(url)),
}));
`;
}

const API_KEY = `sk-fake-${randomBytes(12).toString('hex')}`;

function manifests(fakeUrl: string): string {
  return `apiVersion: v1
kind: Namespace
metadata: { name: apps }
---
apiVersion: v1
kind: Secret
metadata: { name: fake-key, namespace: apps }
stringData: { apiKey: ${API_KEY} }
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: fake, namespace: apps }
spec:
  api: openai
  baseURL: ${fakeUrl}
  auth: { secretRef: { name: fake-key, key: apiKey } }
  models:
    - { name: m-small, contextWindow: 32000, pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 }, capabilities: [json, streaming] }
    - { name: m-large, contextWindow: 128000, pricing: { inputPerMillion: 1, outputPerMillion: 4 }, capabilities: [json, streaming] }
---
${aliasPolicy('alpha', 'm-small')}`;
}

function aliasPolicy(alias: string, model: string): string {
  return `apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: ${alias}, namespace: apps }
spec:
  model: ${alias}
  tiers:
    - name: main
      targets: [{ provider: fake, model: ${model} }]`;
}

/** Sends one chat completion; returns the HTTP status and the model that answered. */
async function chat(
  proxy: RunningProxy,
  alias: string,
): Promise<{ status: number; model: string }> {
  const res = await fetch(`${proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: alias, messages: [{ role: 'user', content: 'hello' }] }),
  });
  await res.arrayBuffer();
  return { status: res.status, model: res.headers.get('x-switchyard-model') ?? '' };
}

describe('proxies in cluster mode', () => {
  let cluster: OperatorCluster;
  let fake: FakeProvider;
  let gate: TcpGate;
  let operator: RunningOperator | undefined;
  let controlPlaneStopped = false;
  const proxies: ClusterProxy[] = [];

  before(async () => {
    cluster = await startOperatorCluster();
    fake = await startFakeProvider({ api: 'openai', name: 'fake', apiKey: API_KEY });
    await applyYaml(cluster.cp, manifests(fake.url));
    // The proxies reach the API server through a gate the tests can shut.
    gate = await startTcpGate('127.0.0.1', apiPort(cluster.cp));
    const gated = kubeconfigVia(cluster.cp, cluster.proxyKubeconfig, gate.port);
    proxies.push(...(await startClusterProxies(gated, 2)));
  });

  after(async () => {
    await stopClusterProxies(proxies);
    await operator?.stop();
    await gate?.close();
    await fake?.close();
    if (!controlPlaneStopped) await cluster?.cp.stop();
  });

  const servedHashes = (): (string | undefined)[] =>
    proxies.map(({ proxy }) => proxy.ctx.config.current?.config.configHash);

  const waitUntilServed = async (alias: string, timeoutMs = 15_000): Promise<void> => {
    await waitFor(
      `both proxies to serve ${alias}`,
      async () => {
        const results = await Promise.all(proxies.map(({ proxy }) => chat(proxy, alias)));
        return results.every((result) => result.status === 200) ? true : undefined;
      },
      timeoutMs,
      20,
    );
  };

  test('a proxy is not ready until the operator has published its first config', async () => {
    await delay(500);
    for (const { proxy } of proxies) assert.equal(proxy.ctx.config.ready, false);
    operator = await startTestOperator(cluster);
    await Promise.all(proxies.map(({ watch }) => watch.ready));
    const published = await readPublished(cluster.cp);
    assert.deepEqual(servedHashes(), [published!.config.configHash, published!.config.configHash]);
    for (const { proxy } of proxies) {
      const result = await chat(proxy, 'alpha');
      assert.equal(result.status, 200);
      assert.equal(result.model, 'm-small');
    }
    // The key came from the published Secret: the fake only answers with the right one.
    assert.equal(fake.lastRequest?.apiKey, API_KEY);
  });

  test('both proxies serve a new alias soon after kubectl apply', async (t) => {
    const latencies: number[] = [];
    for (let index = 1; index <= 5; index++) {
      const started = performance.now();
      await applyYaml(cluster.cp, aliasPolicy(`new-${index}`, 'm-small'));
      await waitUntilServed(`new-${index}`);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    t.diagnostic(
      `kubectl apply → both proxies serving: p50 ${Math.round(latencies[2]!)} ms, ` +
        `max ${Math.round(latencies[4]!)} ms (kubectl itself included)`,
    );
    assert.ok(latencies[2]! < 2000, `p50 ${latencies[2]} ms`);
  });

  test('a proxy reaches the API server as a pod does, without loading @kubernetes/client-node', async () => {
    const sa = mkdtempSync(join(tmpdir(), 'proxy-sa-'));
    try {
      writeFileSync(join(sa, 'token'), tokenOf(cluster.proxyKubeconfig));
      writeFileSync(join(sa, 'ca.crt'), readFileSync(cluster.cp.caFile));
      const env = {
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: String(apiPort(cluster.cp)),
      };
      // A fresh process, so that what it loads is only what cluster mode needs.
      const out = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', inClusterScript(sa, env)],
        {
          cwd: repoRoot,
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      const result = JSON.parse(out) as {
        hash: string;
        clientNode: string[];
        manifestMode: string[];
      };
      assert.equal(result.hash, (await readPublished(cluster.cp))?.config.configHash);
      assert.deepEqual(result.clientNode, []);
      assert.deepEqual(result.manifestMode, [], 'nor js-yaml, compile() or the manifest loader');
    } finally {
      rmSync(sa, { recursive: true, force: true });
    }
  });

  test('switchyard serve --kube, the command the chart runs, serves the published config and stops on SIGTERM', async () => {
    const [port, metricsPort] = await freePorts(2);
    const args = ['serve', '--kube', '--kubeconfig', cluster.proxyKubeconfig];
    args.push('--namespace', SYSTEM_NAMESPACE, '--host', '127.0.0.1', '--quiet');
    args.push('--port', String(port), '--metrics-port', String(metricsPort));
    const { child, output, exited } = startSwitchyard(args);
    try {
      await waitFor('serve --kube to turn ready', async () =>
        (await fetch(`http://127.0.0.1:${metricsPort}/readyz`).catch(() => undefined))?.ok
          ? true
          : undefined,
      );
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'alpha', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('x-switchyard-route'), 'alpha');
      await res.arrayBuffer();
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output());
    assert.doesNotMatch(output(), new RegExp(API_KEY), 'no key in the output');
  });

  test('a kubeconfig with an exec credential plugin works through client-node', async () => {
    const kubeconfig = JSON.parse(readFileSync(cluster.proxyKubeconfig, 'utf8')) as {
      users: { user: Record<string, unknown> }[];
    };
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: tokenOf(cluster.proxyKubeconfig) },
    };
    kubeconfig.users[0]!.user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', `console.log(${JSON.stringify(JSON.stringify(credential))})`],
        interactiveMode: 'Never',
      },
    };
    const path = `${cluster.proxyKubeconfig}-exec`;
    writeFileSync(path, JSON.stringify(kubeconfig), { mode: 0o600 });
    const store = new ConfigStore();
    const watch = watchClusterConfig({
      kubeconfig: path,
      namespace: SYSTEM_NAMESPACE,
      store,
      credentials: new CredentialStore(),
      log: silentSink,
    });
    try {
      await watch.ready;
      assert.equal(
        store.current?.config.configHash,
        (await readPublished(cluster.cp))?.config.configHash,
      );
    } finally {
      await watch.stop();
    }
  });

  test('editing a policy while requests flow fails no request', async (t) => {
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const models = new Set<string>();
    const load = proxies.flatMap(({ proxy }) =>
      Array.from({ length: 3 }, async () => {
        while (!stop) {
          sent++;
          try {
            const result = await chat(proxy, 'alpha');
            if (result.status === 200) models.add(result.model);
            else failures.push(`HTTP ${result.status}`);
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }),
    );
    for (const model of ['m-large', 'm-small', 'm-large', 'm-small', 'm-large']) {
      await applyYaml(cluster.cp, aliasPolicy('alpha', model));
      await waitFor('both proxies to answer with the edited target', async () => {
        const results = await Promise.all(proxies.map(({ proxy }) => chat(proxy, 'alpha')));
        return results.every((result) => result.model === model) ? true : undefined;
      });
    }
    stop = true;
    await Promise.all(load);
    t.diagnostic(`${sent} requests during 5 edits, ${failures.length} failed`);
    assert.deepEqual(failures, []);
    assert.ok(sent > 50, `only ${sent} requests were sent`);
    assert.deepEqual([...models].sort(), ['m-large', 'm-small']);
  });

  test('a published config that does not validate is refused and the last good one keeps serving', async () => {
    const before = servedHashes();
    const seen = proxies.map(({ events }) => events.length);
    await cluster.cp.kubectlOk([
      'patch',
      'configmap',
      'switchyard-config',
      '-n',
      SYSTEM_NAMESPACE,
      '--type=merge',
      '-p',
      JSON.stringify({ data: { 'config.json': '{"schemaVersion":1,"providers":"oops"}' } }),
    ]);
    await waitFor('both proxies to refuse it', () =>
      proxies.every(({ events }, index) =>
        events.slice(seen[index]).some((event) => event.type === 'config-rejected'),
      )
        ? true
        : undefined,
    );
    assert.deepEqual(servedHashes(), before);
    for (const { proxy } of proxies) assert.equal((await chat(proxy, 'alpha')).status, 200);
    // The operator repairs the object; the proxies see the same hash again and swap nothing.
    await waitFor('the operator to repair the ConfigMap', async () =>
      (await readPublished(cluster.cp).catch(() => undefined))?.config.configHash === before[0]
        ? true
        : undefined,
    );
  });

  test('while the API server is unreachable the proxies keep serving, and they catch up when it returns', async (t) => {
    await gate.close();
    await applyYaml(cluster.cp, aliasPolicy('during-outage', 'm-large'));
    const published = await waitFor('the operator to publish during-outage', async () => {
      const current = await readPublished(cluster.cp);
      return current?.config.routes.some((route) => route.alias === 'during-outage')
        ? current
        : undefined;
    });
    for (let round = 0; round < 10; round++) {
      for (const { proxy } of proxies) assert.equal((await chat(proxy, 'alpha')).status, 200);
      await delay(100);
    }
    for (const { proxy } of proxies) {
      assert.notEqual((await chat(proxy, 'during-outage')).status, 200, 'not seen yet');
    }
    assert.ok(
      proxies.every(({ events }) => events.some((event) => event.type === 'watch-error')),
      'the watchers noticed the outage',
    );
    const reopened = performance.now();
    await gate.open();
    await waitUntilServed('during-outage');
    t.diagnostic(
      `caught up ${Math.round(performance.now() - reopened)} ms after the API server returned`,
    );
    assert.deepEqual(servedHashes(), [published.config.configHash, published.config.configHash]);
  });

  test('with the control plane gone entirely, the proxies serve their last config', async () => {
    await operator?.stop();
    operator = undefined;
    await cluster.cp.stop();
    controlPlaneStopped = true;
    for (let round = 0; round < 5; round++) {
      for (const { proxy } of proxies) {
        assert.equal((await chat(proxy, 'alpha')).status, 200);
        assert.equal((await chat(proxy, 'during-outage')).status, 200);
      }
      await delay(200);
    }
  });
});
