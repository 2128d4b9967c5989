// Two and three operator replicas on one real control plane: only the Lease holder writes, and a
// successor takes over when the leader stops (releasing the Lease) or dies (leaving it to expire).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunningOperator } from '../../operator/main.ts';
import {
  applyYaml,
  FAST_OPERATOR,
  localExamples,
  readPublished,
  startOperatorCluster,
  startTestOperator,
  SYSTEM_NAMESPACE,
  waitFor,
  type OperatorCluster,
} from './operator-cluster.ts';

const LEASE_MS = FAST_OPERATOR.leaseDurationMs!;

describe('leader election with a coordination.k8s.io Lease', () => {
  let cluster: OperatorCluster;
  const running: RunningOperator[] = [];

  before(async () => {
    cluster = await startOperatorCluster();
    await applyYaml(cluster.cp, localExamples());
  });

  after(async () => {
    await Promise.all(running.map((operator) => operator.stop({ releaseLease: false })));
    await cluster?.cp.stop();
  });

  const start = async (identity: string): Promise<RunningOperator> => {
    const operator = await startTestOperator(cluster, { identity });
    running.push(operator);
    return operator;
  };

  const stop = async (operator: RunningOperator, releaseLease: boolean): Promise<void> => {
    running.splice(running.indexOf(operator), 1);
    await operator.stop({ releaseLease });
  };

  const holder = async (): Promise<string | undefined> => {
    const res = await cluster.cp.request(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NAMESPACE}/leases/switchyard-operator`,
    );
    return (res.json as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
  };

  const writes = async (operator: RunningOperator): Promise<number> => {
    const text = await operator.metrics.registry.metrics();
    let total = 0;
    for (const match of text.matchAll(
      /^switchyard_operator_(?:publications|status_writes)_total\{[^}]*\} (\d+)$/gm,
    )) {
      total += Number(match[1]);
    }
    return total;
  };

  const editBatchBudget = async (monthlyUSD: number): Promise<void> => {
    await cluster.cp.kubectlOk([
      'patch',
      'routepolicy',
      'batch',
      '-n',
      'default',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { budget: { monthlyUSD } } }),
    ]);
    await waitFor(`budget ${monthlyUSD} to be published`, async () => {
      const batch = (await readPublished(cluster.cp))?.config.routes.find(
        (route) => route.alias === 'batch',
      );
      return batch?.budget?.monthlyUSD === monthlyUSD ? true : undefined;
    });
  };

  let first: RunningOperator;
  let second: RunningOperator;

  test('with two replicas exactly one leads, and only the leader writes', async () => {
    first = await start('replica-a');
    await waitFor('replica-a to lead', () => (first.isLeader() ? true : undefined));
    second = await start('replica-b');
    await second.synced();
    await editBatchBudget(1111);
    // Several lease periods: the follower must neither take over nor write.
    await delay(LEASE_MS * 1.5);
    assert.equal(first.isLeader(), true);
    assert.equal(second.isLeader(), false);
    assert.equal(await holder(), 'replica-a');
    assert.ok((await writes(first)) > 0);
    assert.equal(await writes(second), 0);
    assert.equal(second.lastReconcile(), undefined, 'a follower does not even reconcile');
    assert.match(await second.metrics.registry.metrics(), /^switchyard_operator_leader 0$/m);
    assert.match(await first.metrics.registry.metrics(), /^switchyard_operator_leader 1$/m);
  });

  test('when the leader stops, the other replica takes over within the lease duration', async (t) => {
    const stopped = performance.now();
    await stop(first, true);
    await waitFor('replica-b to lead', () => (second.isLeader() ? true : undefined), LEASE_MS * 2);
    const takeoverMs = performance.now() - stopped;
    t.diagnostic(`takeover after a clean stop: ${Math.round(takeoverMs)} ms`);
    assert.ok(takeoverMs < LEASE_MS, `${takeoverMs} ms`);
    assert.equal(await holder(), 'replica-b');
    await editBatchBudget(2222);
    // The edit reaches the new leader through its watch and a debounced reconcile: wait for it.
    await waitFor(
      'the new leader to publish',
      async () => ((await writes(second)) > 0 ? true : undefined),
      LEASE_MS * 2,
    );
  });

  test('when the leader dies without releasing the Lease, a replica takes over once it expires', async (t) => {
    const third = await start('replica-c');
    await third.synced();
    await delay(500);
    assert.equal(third.isLeader(), false);
    const died = performance.now();
    await stop(second, false);
    await waitFor('replica-c to lead', () => (third.isLeader() ? true : undefined), LEASE_MS * 3);
    const takeoverMs = performance.now() - died;
    t.diagnostic(`takeover after a crash: ${Math.round(takeoverMs)} ms (lease ${LEASE_MS} ms)`);
    // The lease must run out first: never before leaseDuration, and soon after it.
    assert.ok(takeoverMs >= LEASE_MS - 300, `${takeoverMs} ms`);
    assert.ok(takeoverMs < LEASE_MS + 2500, `${takeoverMs} ms`);
    assert.equal(await holder(), 'replica-c');
    await editBatchBudget(3333);
  });
});
