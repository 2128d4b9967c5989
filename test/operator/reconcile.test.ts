// The operator against a real kube-apiserver: publication, status, Events, restarts and
// debouncing, all as the switchyard-operator service account of deploy/rbac.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { KubeClient, loadKubeConfig } from '../../operator/kube/kube-client.ts';
import type { RunningOperator } from '../../operator/main.ts';
import {
  apiPort,
  applyYaml,
  conditionOf,
  kubeconfigVia,
  localExamples,
  readObject,
  readPublished,
  startOperatorCluster,
  startTestOperator,
  SYSTEM_NAMESPACE,
  waitFor,
  type OperatorCluster,
} from './operator-cluster.ts';
import { startTcpGate } from './tcp-gate.ts';

const PROVIDER_SECRETS = ['openai', 'anthropic', 'gemini', 'deepseek', 'qwen', 'mistral'];

describe('the operator on a real control plane', () => {
  let cluster: OperatorCluster;
  let operator: RunningOperator | undefined;
  let admin: KubeClient;
  /** Unique API keys, so a leak anywhere is found by a plain substring search. */
  const secretValues = new Map(
    PROVIDER_SECRETS.map((name) => [name, `sk-test-${name}-${randomBytes(12).toString('hex')}`]),
  );
  const unreferencedValue = `never-published-${randomBytes(12).toString('hex')}`;

  before(async () => {
    cluster = await startOperatorCluster();
    admin = new KubeClient(loadKubeConfig(cluster.cp.kubeconfigPath));
  });

  after(async () => {
    await operator?.stop();
    await admin?.close();
    await cluster?.cp.stop();
  });

  test('applying the examples publishes a config with their aliases and programs every object', async (t) => {
    await applyYaml(cluster.cp, localExamples());
    // Real-looking keys, plus one key no provider references.
    const secrets = [...secretValues]
      .map(
        ([name, value]) => `apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: default }
stringData: { apiKey: ${value}, unrelated: ${unreferencedValue} }`,
      )
      .join('\n---\n');
    await applyYaml(cluster.cp, secrets);

    const started = performance.now();
    operator = await startTestOperator(cluster);
    const published = await waitFor('the published config', async () => {
      const current = await readPublished(cluster.cp);
      return current !== undefined && current.config.routes.length === 3 ? current : undefined;
    });
    t.diagnostic(`first publication ${Math.round(performance.now() - started)} ms after start`);
    assert.deepEqual(
      published.config.routes.map((route) => route.alias),
      ['auto', 'batch', 'private'],
    );
    assert.equal(published.annotations['switchyard.dev/config-hash'], published.config.configHash);
    assert.equal(published.compressed, false);

    for (const [plural, name] of [
      ['modelproviders', 'openai'],
      ['modelproviders', 'in-cluster'],
      ['routepolicies', 'auto'],
      ['routepolicies', 'private'],
    ] as const) {
      const object = await waitFor(`${plural}/${name} to be programmed`, async () => {
        const current = await readObject(cluster.cp, plural, name);
        return conditionOf(current, 'Programmed')?.status === 'True' ? current : undefined;
      });
      const generation = object.metadata.generation;
      assert.equal(object.status?.observedGeneration, generation);
      for (const type of ['Accepted', 'ResolvedRefs', 'Programmed']) {
        const condition = conditionOf(object, type);
        assert.equal(condition?.status, 'True', `${plural}/${name} ${type}`);
        assert.equal(condition?.observedGeneration, generation);
        assert.match(condition?.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
      // The hash is on the ConfigMap, not in statuses: otherwise every edit rewrites every status.
      assert.match(conditionOf(object, 'Programmed')?.message ?? '', /^served by the proxies/);
    }
  });

  test('the credentials Secret holds the referenced keys only, and no value leaks anywhere else', async () => {
    const credentials = await waitFor('the credentials Secret', async () => {
      const res = await cluster.cp.request(
        'GET',
        `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/switchyard-credentials`,
      );
      return res.status === 200 ? (res.json as { data: Record<string, string> }) : undefined;
    });
    const decoded = Object.fromEntries(
      Object.entries(credentials.data).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString('utf8'),
      ]),
    );
    assert.deepEqual(
      decoded,
      Object.fromEntries(
        [...secretValues].map(([name, value]) => [`default.${name}.apiKey`, value]),
      ),
    );

    const published = await readPublished(cluster.cp);
    const objects = await cluster.cp.kubectlOk(['get', 'mp,rp', '-A', '-o', 'json']);
    const events = await cluster.cp.kubectlOk(['get', 'events', '-A', '-o', 'json']);
    const configMaps = await cluster.cp.kubectlOk(['get', 'configmaps', '-A', '-o', 'json']);
    const metrics = await (await fetch(`http://127.0.0.1:${operator!.port}/metrics`)).text();
    const places = {
      configMap: published!.raw,
      statuses: objects,
      events,
      configMaps,
      metrics,
    };
    for (const [place, text] of Object.entries(places)) {
      for (const value of [...secretValues.values(), unreferencedValue]) {
        assert.ok(!text.includes(value), `a secret value appears in ${place}`);
        const base64 = Buffer.from(value).toString('base64');
        assert.ok(!text.includes(base64), `a base64 secret value appears in ${place}`);
      }
    }
  });

  test('health, readiness and metrics are served', async () => {
    const base = `http://127.0.0.1:${operator!.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { leader: boolean }).leader, true);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^switchyard_operator_leader 1$/m);
    assert.match(metrics, /^switchyard_operator_reconcile_duration_seconds_count [1-9]/m);
    assert.match(metrics, /^switchyard_operator_reconcile_errors_total 0$/m);
    assert.match(
      metrics,
      /^switchyard_operator_objects\{kind="RoutePolicy",condition="Programmed",status="True"\} 3$/m,
    );
    assert.match(metrics, /^# TYPE switchyard_operator_informer_restarts_total counter$/m);
  });

  test('a policy naming a missing provider gets ResolvedRefs False ProviderNotFound and one Event', async () => {
    await applyYaml(
      cluster.cp,
      `apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: orphan, namespace: default }
spec:
  model: orphan
  tiers:
    - name: only
      targets: [{ provider: nowhere, model: nothing }]`,
    );
    const orphan = await waitFor('orphan to be rejected', async () => {
      const current = await readObject(cluster.cp, 'routepolicies', 'orphan');
      return conditionOf(current, 'ResolvedRefs')?.status === 'False' ? current : undefined;
    });
    assert.equal(conditionOf(orphan, 'ResolvedRefs')?.reason, 'ProviderNotFound');
    assert.equal(conditionOf(orphan, 'Accepted')?.status, 'True');
    assert.equal(conditionOf(orphan, 'Programmed')?.status, 'False');
    assert.match(conditionOf(orphan, 'ResolvedRefs')?.message ?? '', /nowhere/);

    const events = await waitFor('the rejection Event', async () => {
      const list = JSON.parse(
        await cluster.cp.kubectlOk([
          'get',
          'events',
          '-n',
          'default',
          '--field-selector',
          'involvedObject.name=orphan',
          '-o',
          'json',
        ]),
      ) as {
        items: { reason: string; type: string; count: number; involvedObject: { kind: string } }[];
      };
      return list.items.length > 0 ? list.items : undefined;
    });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.reason, 'ProviderNotFound');
    assert.equal(events[0]!.type, 'Warning');
    assert.equal(events[0]!.involvedObject.kind, 'RoutePolicy');
    const config = (await readPublished(cluster.cp))!.config;
    assert.ok(!config.routes.some((route) => route.alias === 'orphan'));
  });

  test('deleting a provider changes the dependent policies and the config follows; restoring it heals both', async () => {
    const before = await readPublished(cluster.cp);
    const deepseek = await cluster.cp.kubectlOk([
      'get',
      'modelprovider',
      'deepseek',
      '-n',
      'default',
      '-o',
      'json',
    ]);
    await cluster.cp.kubectlOk(['delete', 'modelprovider', 'deepseek', '-n', 'default']);
    const without = await waitFor('a config without deepseek', async () => {
      const current = await readPublished(cluster.cp);
      return current !== undefined &&
        !current.config.providers.some((provider) => provider.name === 'deepseek')
        ? current
        : undefined;
    });
    assert.notEqual(without.config.configHash, before!.config.configHash);
    const targets = without.config.routes
      .flatMap((route) => route.tiers)
      .flatMap((tier) => tier.targets);
    assert.ok(!targets.some((target) => target.provider === 'deepseek'));
    assert.ok(!('default.deepseek.apiKey' in (await credentialKeys())));
    const auto = await waitFor('auto to report the missing provider', async () => {
      const current = await readObject(cluster.cp, 'routepolicies', 'auto');
      return conditionOf(current, 'ResolvedRefs')?.status === 'False' ? current : undefined;
    });
    assert.equal(conditionOf(auto, 'ResolvedRefs')?.reason, 'ProviderNotFound');
    assert.equal(conditionOf(auto, 'Programmed')?.status, 'True', 'auto keeps its other targets');

    const restored = JSON.parse(deepseek) as { metadata: Record<string, unknown> };
    restored.metadata = { name: 'deepseek', namespace: 'default' };
    await applyYaml(cluster.cp, JSON.stringify(restored));
    const healed = await waitFor('deepseek back in the config', async () => {
      const current = await readPublished(cluster.cp);
      return current?.config.providers.some((provider) => provider.name === 'deepseek')
        ? current
        : undefined;
    });
    assert.ok('default.deepseek.apiKey' in (await credentialKeys()));
    await waitFor('auto to resolve again', async () => {
      const current = await readObject(cluster.cp, 'routepolicies', 'auto');
      return conditionOf(current, 'ResolvedRefs')?.status === 'True' ? true : undefined;
    });
    // The restored provider is newer than before, but the config it compiles to is the same
    // except for the orphan-free state it was in: equal bytes give the equal hash.
    assert.equal(healed.config.configHash, before!.config.configHash);
  });

  test('a policy broken by its own edit keeps serving its last accepted version (LastKnownGood)', async () => {
    const policyWith = (pattern: string) => `apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: regexy, namespace: default }
spec:
  model: regexy
  tiers:
    - name: only
      targets: [{ provider: openai, model: gpt-5-mini }]
  classification:
    rules: [{ name: r, tier: only, match: { patterns: ['${pattern}'] } }]`;
    await applyYaml(cluster.cp, policyWith('ok'));
    await waitFor('regexy to be served', async () =>
      (await readPublished(cluster.cp))?.config.routes.some((r) => r.alias === 'regexy')
        ? true
        : undefined,
    );
    // CEL cannot check a regular expression, so the API server stores this; compile() rejects it.
    await applyYaml(cluster.cp, policyWith('(unclosed'));
    const broken = await waitFor('regexy to be rejected', async () => {
      const current = await readObject(cluster.cp, 'routepolicies', 'regexy');
      return conditionOf(current, 'Accepted')?.status === 'False' ? current : undefined;
    });
    assert.equal(conditionOf(broken, 'Accepted')?.reason, 'InvalidPattern');
    assert.equal(conditionOf(broken, 'Programmed')?.status, 'True');
    assert.equal(conditionOf(broken, 'Programmed')?.reason, 'LastKnownGood');
    const served = (await readPublished(cluster.cp))!.config.routes.find(
      (r) => r.alias === 'regexy',
    );
    assert.deepEqual(served?.classification.rules[0]?.match.patterns, ['ok']);
    await cluster.cp.kubectlOk(['delete', 'routepolicy', 'regexy', '-n', 'default']);
    await waitFor('regexy to leave the config', async () =>
      (await readPublished(cluster.cp))?.config.routes.some((r) => r.alias === 'regexy')
        ? undefined
        : true,
    );
  });

  test('a restarted operator writes nothing: same ConfigMap resourceVersion, no status churn', async (t) => {
    await waitForQuiet();
    const configBefore = await readPublished(cluster.cp);
    const versionsBefore = await objectVersions();
    const credentialsBefore = await credentialsVersion();
    await operator!.stop();
    operator = await startTestOperator(cluster);
    const report = await waitFor('the new operator to reconcile', () => operator!.lastReconcile());
    t.diagnostic(`restart reconcile: ${JSON.stringify({ ...report, configHash: undefined })}`);
    assert.equal(report.config, 'unchanged');
    assert.equal(report.credentials, 'unchanged');
    assert.equal(report.status.written, 0);
    assert.equal(report.events.emitted, 0, 'the orphan Event is found, not duplicated');
    assert.equal((await readPublished(cluster.cp))!.resourceVersion, configBefore!.resourceVersion);
    assert.equal(await credentialsVersion(), credentialsBefore);
    assert.deepEqual(await objectVersions(), versionsBefore);
    const events = await cluster.cp.kubectlOk([
      'get',
      'events',
      '-n',
      'default',
      '--field-selector',
      'involvedObject.name=orphan',
      '-o',
      'name',
    ]);
    assert.equal(events.trim().split('\n').length, 1);
  });

  test('an edited published ConfigMap is repaired', async () => {
    const before = await readPublished(cluster.cp);
    await cluster.cp.kubectlOk([
      'patch',
      'configmap',
      'switchyard-config',
      '-n',
      SYSTEM_NAMESPACE,
      '--type=merge',
      '-p',
      '{"data":{"config.json":"{}"}}',
    ]);
    const repaired = await waitFor('the ConfigMap to be repaired', async () => {
      const current = await readPublished(cluster.cp);
      return current?.config.configHash === before!.config.configHash &&
        current.resourceVersion !== before!.resourceVersion
        ? current
        : undefined;
    });
    assert.equal(repaired.config.routes.length, before!.config.routes.length);
  });

  test('a burst of 50 edits is coalesced into a few publications, and the last edit wins', async (t) => {
    await waitForQuiet();
    const publicationsBefore = await publicationCount();
    const started = performance.now();
    for (let index = 1; index <= 50; index++) {
      await admin.request({
        method: 'PATCH',
        path: '/apis/switchyard.dev/v1alpha1/namespaces/default/routepolicies/batch',
        body: { spec: { budget: { monthlyUSD: 1000 + index } } },
        contentType: 'application/merge-patch+json',
      });
    }
    const burstMs = performance.now() - started;
    const published = await waitFor('the last edit to be published', async () => {
      const current = await readPublished(cluster.cp);
      const batch = current?.config.routes.find((route) => route.alias === 'batch');
      return batch?.budget?.monthlyUSD === 1050 ? current : undefined;
    });
    const settledMs = performance.now() - started;
    await waitForQuiet();
    const publications = (await publicationCount()) - publicationsBefore;
    t.diagnostic(
      `50 edits in ${Math.round(burstMs)} ms, published in ${Math.round(settledMs)} ms, ` +
        `${publications} ConfigMap publications`,
    );
    assert.ok(published);
    assert.ok(publications >= 1 && publications <= 10, `${publications} publications`);
    const batch = await readObject(cluster.cp, 'routepolicies', 'batch');
    assert.equal(batch?.status?.observedGeneration, batch?.metadata.generation);
  });

  test('from an edit to the published ConfigMap takes well under a second', async (t) => {
    const latencies: number[] = [];
    for (let index = 1; index <= 10; index++) {
      await waitForQuiet();
      const started = performance.now();
      await admin.request({
        method: 'PATCH',
        path: '/apis/switchyard.dev/v1alpha1/namespaces/default/routepolicies/batch',
        body: { spec: { budget: { monthlyUSD: 2000 + index } } },
        contentType: 'application/merge-patch+json',
      });
      await waitFor(
        'the edit to be published',
        async () => {
          const batch = (await readPublished(cluster.cp))?.config.routes.find(
            (route) => route.alias === 'batch',
          );
          return batch?.budget?.monthlyUSD === 2000 + index ? true : undefined;
        },
        10_000,
        10,
      );
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)]!;
    const max = latencies[latencies.length - 1]!;
    t.diagnostic(`edit → ConfigMap: p50 ${Math.round(p50)} ms, max ${Math.round(max)} ms`);
    assert.ok(p50 < 1000, `p50 ${p50} ms`);
  });

  test('after losing the API server, the operator reconnects, leads again and catches up', async (t) => {
    await operator!.stop();
    const gate = await startTcpGate('127.0.0.1', apiPort(cluster.cp));
    try {
      operator = await startTestOperator(cluster, {
        kubeconfig: kubeconfigVia(cluster.cp, cluster.operatorKubeconfig, gate.port),
      });
      await waitForQuiet();
      const before = await readPublished(cluster.cp);
      await gate.close();
      await cluster.cp.kubectlOk([
        'patch',
        'routepolicy',
        'batch',
        '-n',
        'default',
        '--type=merge',
        '-p',
        '{"spec":{"budget":{"monthlyUSD":777}}}',
      ]);
      await waitFor('the leader to step down', () => (operator!.isLeader() ? undefined : true));
      assert.equal((await readPublished(cluster.cp))!.resourceVersion, before!.resourceVersion);
      const reopened = performance.now();
      await gate.open();
      await waitFor('the edit made during the outage to be published', async () => {
        const batch = (await readPublished(cluster.cp))?.config.routes.find(
          (route) => route.alias === 'batch',
        );
        return batch?.budget?.monthlyUSD === 777 ? true : undefined;
      });
      t.diagnostic(
        `caught up ${Math.round(performance.now() - reopened)} ms after the API server returned`,
      );
      assert.equal(operator.isLeader(), true);
      const metrics = await (await fetch(`http://127.0.0.1:${operator.port}/metrics`)).text();
      assert.match(
        metrics,
        /^switchyard_operator_informer_restarts_total\{resource="routepolicies",reason="error"\} [1-9]/m,
      );
    } finally {
      await operator!.stop();
      operator = undefined;
      await gate.close();
    }
  });

  /** Waits until the operator has nothing left to do (a reconcile that wrote nothing). */
  async function waitForQuiet(): Promise<void> {
    await waitFor('the operator to settle', async () => {
      const last = operator!.lastReconcile();
      if (last === undefined) return undefined;
      const quiet =
        last.config === 'unchanged' &&
        last.credentials === 'unchanged' &&
        last.status.written === 0;
      if (!quiet) return undefined;
      // Nothing pending either: give the debounce window a chance to prove it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return operator!.lastReconcile() === last ? true : undefined;
    });
  }

  async function objectVersions(): Promise<Record<string, string>> {
    const list = JSON.parse(await cluster.cp.kubectlOk(['get', 'mp,rp', '-A', '-o', 'json'])) as {
      items: { kind: string; metadata: { name: string; resourceVersion: string } }[];
    };
    return Object.fromEntries(
      list.items.map((item) => [
        `${item.kind}/${item.metadata.name}`,
        item.metadata.resourceVersion,
      ]),
    );
  }

  async function credentialsVersion(): Promise<string> {
    const res = await cluster.cp.request(
      'GET',
      `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/switchyard-credentials`,
    );
    return (res.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  }

  async function credentialKeys(): Promise<Record<string, string>> {
    return waitFor('the credentials', async () => {
      const res = await cluster.cp.request(
        'GET',
        `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/switchyard-credentials`,
      );
      return res.status === 200 ? (res.json as { data: Record<string, string> }).data : undefined;
    });
  }

  async function publicationCount(): Promise<number> {
    const metrics = await (await fetch(`http://127.0.0.1:${operator!.port}/metrics`)).text();
    const match = /^switchyard_operator_publications_total\{object="configmap"\} (\d+)$/m.exec(
      metrics,
    );
    return Number(match?.[1] ?? 0);
  }
});
