// The chart on a real node: the image built by `npm run image`, the pods the chart renders run by
// a kubelet on containerd + runc under the restricted Pod Security Standard, and requests from an
// application pod through the Service's DNS name with the OpenAI SDK. Then what operators do on a
// running install — upgrade, lose a pod, lose the leader, uninstall — with requests flowing.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startCluster } from '../harness/node/cluster.ts';
import type { Cluster } from '../harness/node/cluster.ts';
import { switchyardImage, workloadImage } from '../harness/node/images.ts';
import { runCommand, waitUntil } from '../harness/processes.ts';
import { goBinary, repoRoot } from '../harness/tools.ts';
import { examplesPointedAtFakes, namespaces, workloadManifests } from './e2e-fixture.ts';

const release = 'switchyard';
const serviceURL = `http://${release}.${namespaces.release}.svc.cluster.local/v1`;
const proxySelector = 'app.kubernetes.io/component=proxy';
const operatorSelector = 'app.kubernetes.io/component=operator';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly content: string | null;
}

interface TrafficReport {
  readonly ok: number;
  readonly failed: number;
  readonly errors: string[];
}

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
    status: { conditions?: { type: string; status: string }[] };
  }[];
}

describe('the chart on a single-node cluster', { timeout: 20 * 60_000 }, () => {
  let cluster: Cluster;
  let examples: string | undefined;

  before(async () => {
    const images = [await switchyardImage(), await workloadImage()];
    cluster = await startCluster({ images });
    await cluster.cp.kubectlOk(['apply', '-f', '-'], { input: workloadManifests() });
  });

  after(async () => {
    if (examples !== undefined) rmSync(examples, { recursive: true, force: true });
    await cluster?.stop();
  });

  // Longer than any --timeout passed to kubectl wait, so kubectl reports what it waited for.
  const kubectl = (args: readonly string[], timeoutMs = 200_000) =>
    cluster.cp.kubectlOk(args, { timeoutMs });

  /** Pods and recent events of every namespace, for the message of a failing step. */
  const clusterState = async (): Promise<string> => {
    const podsNow = await cluster.cp.kubectl(['get', 'pods', '-A', '-o', 'wide']);
    const events = await cluster.cp.kubectl(['get', 'events', '-A', '--sort-by=.lastTimestamp']);
    return `${podsNow.stdout}\n${events.stdout.split('\n').slice(-25).join('\n')}`;
  };

  /** A test body whose failure also says what the cluster looked like. */
  const step =
    (body: (t: TestContext) => Promise<void>) =>
    async (t: TestContext): Promise<void> => {
      try {
        await body(t);
      } catch (error) {
        (error as Error).message += `\n--- cluster state:\n${await clusterState()}`;
        throw error;
      }
    };

  const helm = async (args: readonly string[]): Promise<string> => {
    const result = await runCommand(goBinary('helm'), args, {
      env: cluster.cp.env,
      timeoutMs: 600_000,
    });
    if (result.code !== 0)
      throw new Error(`helm ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
    return result.stdout;
  };

  const pods = async (selector: string): Promise<PodList['items']> =>
    (
      JSON.parse(
        await kubectl(['get', 'pods', '-n', namespaces.release, '-l', selector, '-o', 'json']),
      ) as PodList
    ).items;

  const isReady = (pod: PodList['items'][number]): boolean =>
    pod.metadata.deletionTimestamp === undefined &&
    pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

  const exec = (args: readonly string[], timeoutMs = 120_000) =>
    kubectl(['exec', '-n', namespaces.apps, 'client', '--', ...args], timeoutMs);

  const callOnce = async (model = 'auto'): Promise<Answer> =>
    JSON.parse(
      await exec(['node', 'test/e2e/workload/client.ts', 'once', serviceURL, '--model', model]),
    ) as Answer;

  /** Runs `during` while the client pod sends requests without pause; returns what it counted. */
  const underTraffic = async (
    name: string,
    during: () => Promise<void>,
  ): Promise<TrafficReport> => {
    const stopFile = `/tmp/stop-${name}`;
    const traffic = exec(
      ['node', 'test/e2e/workload/client.ts', 'steady', serviceURL, '--stop-file', stopFile],
      600_000,
    );
    try {
      await delay(3000);
      await during();
      await delay(2000);
    } finally {
      await exec([
        'node',
        '-e',
        `require('node:fs').writeFileSync(${JSON.stringify(stopFile)}, '')`,
      ]);
    }
    return JSON.parse(await traffic) as TrafficReport;
  };

  const waitForProxies = (
    what: string,
    check: (ready: PodList['items'], all: PodList['items']) => boolean,
  ) =>
    waitUntil(
      what,
      async () => {
        const all = await pods(proxySelector);
        return check(all.filter(isReady), all) ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );

  test(
    'helm install under restricted Pod Security runs the operator and two proxies to Ready',
    step(async () => {
      await helm([
        'install',
        release,
        join(repoRoot, 'charts', 'switchyard'),
        '-n',
        namespaces.release,
        '--wait',
        '--timeout',
        '5m',
      ]);
      const proxies = (await pods(proxySelector)).filter(isReady);
      const operators = (await pods(operatorSelector)).filter(isReady);
      assert.equal(proxies.length, 2, 'two proxy pods Ready');
      assert.equal(operators.length, 2, 'two operator pods Ready');
    }),
  );

  test(
    'the image runs as user 1000 on a read-only root filesystem, with no shell',
    step(async () => {
      const [proxy] = (await pods(proxySelector)).filter(isReady);
      assert.ok(proxy !== undefined);
      const inProxy = ['exec', '-n', namespaces.release, proxy.metadata.name, '--'];
      const probe = [
        'const fs = require("node:fs");',
        'let write = "written";',
        'try { fs.writeFileSync("/app/dist/x", ""); } catch (e) { write = e.code; }',
        'console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), write }));',
      ].join(' ');
      const seen = JSON.parse(await kubectl([...inProxy, 'node', '-e', probe])) as Record<
        string,
        unknown
      >;
      assert.deepEqual(seen, { uid: 1000, gid: 1000, write: 'EROFS' });
      const shell = await cluster.cp.kubectl([...inProxy, 'sh', '-c', 'true']);
      assert.notEqual(shell.code, 0);
      assert.match(shell.stderr + shell.stdout, /no such file|not found/i);
    }),
  );

  test(
    'an application pod gets an answer with its receipt through the Service DNS name',
    step(async () => {
      await kubectl([
        'wait',
        '-n',
        namespaces.providers,
        '--for=condition=Available',
        'deployment/fake-providers',
        '--timeout=120s',
      ]);
      examples = examplesPointedAtFakes();
      await kubectl(['apply', '-n', namespaces.release, '-f', examples]);
      await kubectl([
        'wait',
        '-n',
        namespaces.release,
        '--for=condition=Programmed',
        'routepolicy',
        '--all',
        '--timeout=120s',
      ]);
      await kubectl([
        'wait',
        '-n',
        namespaces.apps,
        '--for=condition=Ready',
        'pod/client',
        '--timeout=120s',
      ]);
      // The proxies pick the published config up by watching it: allow them a moment.
      const answer = await waitUntil(
        'an answer from the proxies',
        async () => {
          const got = await callOnce().catch(() => undefined);
          return got?.status === 200 ? got : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      assert.ok((answer.content ?? '').length > 0, JSON.stringify(answer));
      assert.equal(answer.headers['x-switchyard-route'], 'auto');
      // The budget tier of examples/route-policies.yaml, ranked cheapest: which one wins is the
      // router's business (the fakes price nothing), that it is one of them is the chart's.
      assert.equal(answer.headers['x-switchyard-tier'], 'budget');
      const budget = [
        'deepseek/deepseek-chat',
        'gemini/gemini-2.5-flash-lite',
        'qwen/qwen-turbo',
        'openai/gpt-5-nano',
        'mistral/mistral-small',
      ];
      const target = `${answer.headers['x-switchyard-provider']}/${answer.headers['x-switchyard-model']}`;
      assert.ok(budget.includes(target), target);
      assert.equal(answer.headers['x-switchyard-attempts'], '1');
      assert.match(answer.headers['x-switchyard-cost-usd'] ?? '', /^\d+\.\d+$/);
      assert.match(answer.headers['x-request-id'] ?? '', /^req_[0-9a-f]{32}$/);
    }),
  );

  test(
    'helm upgrade rolls both proxies while requests flow, and loses none',
    step(async (t) => {
      const before = new Set((await pods(proxySelector)).map((pod) => pod.metadata.name));
      const report = await underTraffic('upgrade', async () => {
        await helm([
          'upgrade',
          release,
          join(repoRoot, 'charts', 'switchyard'),
          '-n',
          namespaces.release,
          '--reuse-values',
          '--set-string',
          'proxy.podAnnotations.e2e-rollout=2',
          '--wait',
          '--timeout',
          '5m',
        ]);
        // Until the old pods are gone: their preStop sleep is when requests are most at risk.
        await waitForProxies(
          'only new proxy pods',
          (ready, all) => ready.length === 2 && all.every((pod) => !before.has(pod.metadata.name)),
        );
      });
      t.diagnostic(`${report.ok} requests answered during the rollout, ${report.failed} failed`);
      assert.equal(report.failed, 0, report.errors.join('\n'));
      assert.ok(report.ok > 50, `only ${report.ok} requests answered`);
    }),
  );

  test(
    'deleting a proxy pod while requests flow loses none',
    step(async (t) => {
      const [victim] = await pods(proxySelector);
      assert.ok(victim !== undefined);
      const report = await underTraffic('delete', async () => {
        await kubectl([
          'delete',
          'pod',
          '-n',
          namespaces.release,
          victim.metadata.name,
          '--wait=true',
          '--timeout=120s',
        ]);
        await waitForProxies('two Ready proxies again', (ready) => ready.length === 2);
      });
      t.diagnostic(`${report.ok} requests answered while the pod went, ${report.failed} failed`);
      assert.equal(report.failed, 0, report.errors.join('\n'));
      assert.ok(report.ok > 50, `only ${report.ok} requests answered`);
    }),
  );

  test(
    'when the operator leader pod is deleted the other takes over, and a policy edit still reaches the proxies',
    step(async () => {
      const lease = async (): Promise<string> =>
        (
          await kubectl([
            'get',
            'lease',
            '-n',
            namespaces.release,
            'switchyard-operator',
            '-o',
            'jsonpath={.spec.holderIdentity}',
          ])
        ).trim();
      const leader = await lease();
      const leaderPod = (await pods(operatorSelector)).find((pod) =>
        leader.startsWith(pod.metadata.name),
      );
      assert.ok(leaderPod !== undefined, `no operator pod holds the lease (${leader})`);
      await kubectl([
        'delete',
        'pod',
        '-n',
        namespaces.release,
        leaderPod.metadata.name,
        '--wait=false',
      ]);
      const survivors = (await pods(operatorSelector)).filter(
        (pod) => pod.metadata.name !== leaderPod.metadata.name,
      );
      const newLeader = await waitUntil(
        'another operator pod to take the lease',
        async () => {
          const holder = await lease();
          return survivors.some((pod) => holder.startsWith(pod.metadata.name)) ? holder : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );
      assert.notEqual(newLeader, leader);
      const edited = {
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'RoutePolicy',
        metadata: { name: 'edited', namespace: namespaces.release },
        spec: {
          model: 'edited',
          tiers: [{ name: 'only', targets: [{ provider: 'openai', model: 'gpt-5-nano' }] }],
        },
      };
      await cluster.cp.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(edited) });
      const answer = await waitUntil(
        'the edited policy to answer',
        async () => {
          const got = await callOnce('edited').catch(() => undefined);
          return got?.status === 200 ? got : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );
      assert.equal(answer.headers['x-switchyard-route'], 'edited');
      assert.equal(answer.headers['x-switchyard-provider'], 'openai');
      assert.equal(answer.headers['x-switchyard-model'], 'gpt-5-nano');
    }),
  );

  test(
    'helm uninstall removes the release and keeps the CRDs and the resources in them',
    step(async () => {
      await helm(['uninstall', release, '-n', namespaces.release, '--wait', '--timeout', '5m']);
      await waitUntil(
        'the release pods to go',
        async () =>
          (await pods('app.kubernetes.io/instance=switchyard')).length === 0 ? true : undefined,
        { timeoutMs: 120_000, intervalMs: 1000 },
      );
      const crds = await kubectl(['get', 'crd', '-o', 'name']);
      assert.match(crds, /modelproviders\.switchyard\.dev/);
      assert.match(crds, /routepolicies\.switchyard\.dev/);
      const policies = await kubectl([
        'get',
        'routepolicies',
        '-n',
        namespaces.release,
        '-o',
        'name',
      ]);
      assert.match(policies, /routepolicy\.switchyard\.dev\/auto/);
    }),
  );
});
