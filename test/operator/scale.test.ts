// 1,000 custom resources in ten namespaces: the operator compiles and publishes them (gzipped,
// since the config outgrows half a ConfigMap), programs every object, and a proxy decodes the
// result. Times are printed as diagnostics; the assertions are deliberately loose (a loaded CI
// machine), the benchmark in bench/ holds the targets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubeClient, loadKubeConfig } from '../../operator/kube/kube-client.ts';
import type { RunningOperator } from '../../operator/main.ts';
import type { ReconcileReport } from '../../operator/reconcile/reconciler.ts';
import { scalePolicy, scaleProvider, type ScaleShape } from '../../bench/operator/manifests.ts';
import { ConfigStore } from '../../proxy/config/config-store.ts';
import { decodeConfig } from '../../proxy/cluster/decode-config.ts';
import {
  readPublished,
  startOperatorCluster,
  startTestOperator,
  SYSTEM_NAMESPACE,
  waitFor,
  type OperatorCluster,
} from './operator-cluster.ts';

const NAMESPACES = 10;
const PROVIDERS_PER_NAMESPACE = 40;
const POLICIES_PER_NAMESPACE = 60;
const TOTAL = NAMESPACES * (PROVIDERS_PER_NAMESPACE + POLICIES_PER_NAMESPACE);

// The same objects as the operator benchmark's scale set (bench/operator/manifests.ts), in a
// different shape; the providers point at an address nothing listens on (nothing calls them here).
const SHAPE: ScaleShape = {
  namespaces: NAMESPACES,
  providersPerNamespace: PROVIDERS_PER_NAMESPACE,
  policiesPerNamespace: POLICIES_PER_NAMESPACE,
};
const provider = (namespace: string, index: number): object =>
  scaleProvider(namespace, index, `http://10.0.${index % 250}.1:8000/v1`);
const policy = (namespace: string, index: number): object => scalePolicy(namespace, index, SHAPE);

/** Runs `tasks` with at most `concurrency` in flight. */
async function pool(tasks: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

describe(`${TOTAL} custom resources`, () => {
  let cluster: OperatorCluster;
  let admin: KubeClient;
  let operator: RunningOperator | undefined;
  const reports: ReconcileReport[] = [];

  before(async () => {
    cluster = await startOperatorCluster();
    admin = new KubeClient(loadKubeConfig(cluster.cp.kubeconfigPath));
  });

  after(async () => {
    await operator?.stop();
    await admin?.close();
    await cluster?.cp.stop();
  });

  test('are created, then compiled and published by a starting operator', async (t) => {
    const namespaces = Array.from({ length: NAMESPACES }, (_, index) => `team-${index}`);
    const created = performance.now();
    await pool(
      namespaces.map(
        (name) => () =>
          admin.request({
            method: 'POST',
            path: '/api/v1/namespaces',
            body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
          }),
      ),
      8,
    );
    const creations: (() => Promise<unknown>)[] = [];
    for (const namespace of namespaces) {
      const data = Object.fromEntries(
        Array.from({ length: PROVIDERS_PER_NAMESPACE }, (_, index) => [
          `k${index}`,
          Buffer.from(`sk-${namespace}-${index}`).toString('base64'),
        ]),
      );
      creations.push(() =>
        admin.request({
          method: 'POST',
          path: `/api/v1/namespaces/${namespace}/secrets`,
          body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys' }, data },
        }),
      );
      for (let index = 0; index < PROVIDERS_PER_NAMESPACE; index++) {
        creations.push(() =>
          admin.request({
            method: 'POST',
            path: `/apis/switchyard.dev/v1alpha1/namespaces/${namespace}/modelproviders`,
            body: provider(namespace, index),
          }),
        );
      }
      for (let index = 0; index < POLICIES_PER_NAMESPACE; index++) {
        creations.push(() =>
          admin.request({
            method: 'POST',
            path: `/apis/switchyard.dev/v1alpha1/namespaces/${namespace}/routepolicies`,
            body: policy(namespace, index),
          }),
        );
      }
    }
    await pool(creations, 16);
    t.diagnostic(
      `created ${TOTAL} custom resources in ${Math.round(performance.now() - created)} ms`,
    );

    const started = performance.now();
    operator = await startTestOperator(cluster, {
      statusConcurrency: 16,
      onReconcile: (report) => reports.push(report),
    });
    const published = await waitFor(
      'the config with every route',
      async () => {
        const current = await readPublished(cluster.cp);
        return current?.config.routes.length === NAMESPACES * POLICIES_PER_NAMESPACE
          ? current
          : undefined;
      },
      60_000,
      25,
    );
    const publishedMs = performance.now() - started;
    const report = await waitFor(
      'the first reconcile to finish',
      () => reports.find((candidate) => candidate.config === 'applied'),
      60_000,
    );
    t.diagnostic(
      `operator start → ConfigMap published: ${Math.round(publishedMs)} ms; ` +
        `within the reconcile: compile ${Math.round(report.compileMs)} ms, ` +
        `compile+publish ${Math.round(report.publishMs)} ms, ` +
        `whole reconcile with ${report.status.written} status writes ${Math.round(report.durationMs)} ms`,
    );
    assert.equal(published.config.providers.length, NAMESPACES * PROVIDERS_PER_NAMESPACE);
    const json = JSON.stringify(published.config);
    t.diagnostic(`config JSON ${json.length} bytes, stored gzipped: ${published.compressed}`);
    assert.equal(published.compressed, json.length > 512 * 1024);
    assert.ok(report.publishMs < 10_000, `compile+publish took ${report.publishMs} ms`);

    // Every object programmed, observed at its generation.
    await waitFor(
      'every object to be programmed',
      async () => {
        const list = JSON.parse(
          await cluster.cp.kubectlOk(['get', 'mp,rp', '-A', '-o', 'json'], { timeoutMs: 60_000 }),
        ) as {
          items: {
            metadata: { generation: number };
            status?: {
              observedGeneration?: number;
              conditions?: { type: string; status: string }[];
            };
          }[];
        };
        const programmed = list.items.filter(
          (item) =>
            item.status?.observedGeneration === item.metadata.generation &&
            item.status.conditions?.find((c) => c.type === 'Programmed')?.status === 'True',
        );
        return programmed.length === TOTAL ? true : undefined;
      },
      120_000,
      500,
    );
    t.diagnostic(
      `every object programmed ${Math.round(performance.now() - started)} ms after start`,
    );

    // A proxy reads the gzipped config as it is stored.
    const res = await cluster.cp.request(
      'GET',
      `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps/switchyard-config`,
    );
    const decodeStarted = performance.now();
    const loaded = new ConfigStore().load(decodeConfig(res.json as object));
    t.diagnostic(
      `proxy decode + validate + index: ${Math.round(performance.now() - decodeStarted)} ms`,
    );
    assert.equal(loaded.ok, true, JSON.stringify(loaded));
  });

  test('one edit among them is published quickly', async (t) => {
    assert.ok(operator, 'the operator did not start');
    await waitFor(
      'the operator to settle',
      () => {
        const last = operator!.lastReconcile();
        return last?.status.written === 0 && last.config === 'unchanged' ? true : undefined;
      },
      120_000,
      200,
    );
    const seen = reports.length;
    const started = performance.now();
    await admin.request({
      method: 'PATCH',
      path: '/apis/switchyard.dev/v1alpha1/namespaces/team-3/routepolicies/route-7',
      body: { spec: { failover: { attemptTimeoutMs: 4000 } } },
      contentType: 'application/merge-patch+json',
    });
    await waitFor(
      'the edit to be published',
      async () => {
        const route = (await readPublished(cluster.cp))?.config.routes.find(
          (candidate) => candidate.alias === 'team-3-alias-7',
        );
        return route?.failover.attemptTimeoutMs === 4000 ? true : undefined;
      },
      30_000,
      20,
    );
    const publishedMs = performance.now() - started;
    const report = await waitFor(
      'the reconcile to finish',
      () => reports.slice(seen).find((candidate) => candidate.config === 'applied'),
      120_000,
    );
    await waitFor(
      'the operator to settle again',
      () => {
        const last = reports.at(-1);
        return last !== undefined && last !== report && last.status.written === 0
          ? last
          : undefined;
      },
      120_000,
    );
    const noop = reports.at(-1)!;
    t.diagnostic(
      `the reconcile after our own status writes reused the compile: ${Math.round(noop.durationMs)} ms`,
    );
    assert.equal(noop.compileMs, 0);
    t.diagnostic(
      `edit → ConfigMap: ${Math.round(publishedMs)} ms (compile ${Math.round(report.compileMs)} ms, ` +
        `compile+publish ${Math.round(report.publishMs)} ms); the reconcile then rewrote ` +
        `${report.status.written} statuses in ${Math.round(report.durationMs)} ms in all`,
    );
    assert.ok(publishedMs < 10_000, `${publishedMs} ms`);
  });
});
