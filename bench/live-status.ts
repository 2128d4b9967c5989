// `node bench/live-status.ts [--objects 1000] [--seconds 60]`: how often the operator writes
// status.live when every object's live figures change all the time. A real control plane (etcd +
// kube-apiserver from the test harness), a real Redis and the operator in-process with its
// default live timing (a round every 10 s, an object at most once per 10 s, 40 writes/s); a
// synthetic fleet adds to every target's and policy's counters every second, as busy proxies
// would. A watch on both kinds counts every write of status.live. Prints writes per object per
// 10 s (the goal: at most 1) against the naive baseline of writing on every change (10), the
// longest any object went unwritten while it kept changing (the goal: fresh within 30 s), and the
// API server's write rate. Not a test: it reports numbers.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { budgetMonth } from '../core/budget/budget.ts';
import {
  MINUTE_TTL_SECONDS,
  MONTH_TTL_SECONDS,
  PODS_KEY,
  minuteKey,
  minuteOf,
  monthKey,
  policyField,
  targetField,
} from '../core/live/fleet-keys.ts';
import { bucketOf } from '../core/live/latency-buckets.ts';
import { RedisState } from '../proxy/state/redis-state.ts';
import { startRedis } from '../test/harness/redis.ts';
import {
  startOperatorCluster,
  startTestOperator,
  waitFor,
} from '../test/operator/operator-cluster.ts';
import { watchApi, type ApiWatch } from './operator/api-watch.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
  },
});
const objects = Number(values.objects);
const seconds = Number(values.seconds);
const pairs = Math.floor(objects / 2);
const NS = 'bench';

async function pool(tasks: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function main(): Promise<void> {
  const cluster = await startOperatorCluster();
  const redis = await startRedis();
  const state = await RedisState.connect(redis.url);
  const { cp } = cluster;
  try {
    await cp.kubectlOk(['create', 'namespace', NS]);
    const crds = `/apis/switchyard.dev/v1alpha1/namespaces/${NS}`;
    const create = (path: string, body: object) => async () => {
      const res = await cp.request('POST', path, body);
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body}`);
    };
    const tasks: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < pairs; i++) {
      tasks.push(
        create(`${crds}/modelproviders`, {
          apiVersion: 'switchyard.dev/v1alpha1',
          kind: 'ModelProvider',
          metadata: { name: `p${i}` },
          spec: {
            api: 'openai',
            baseURL: 'http://127.0.0.1:9/v1',
            models: [
              {
                name: 'm',
                contextWindow: 8000,
                pricing: { inputPerMillion: 1, outputPerMillion: 2 },
              },
            ],
          },
        }),
        create(`${crds}/routepolicies`, {
          apiVersion: 'switchyard.dev/v1alpha1',
          kind: 'RoutePolicy',
          metadata: { name: `r${i}` },
          spec: {
            model: `alias-${i}`,
            tiers: [{ name: 'only', targets: [{ provider: `p${i}`, model: 'm' }] }],
          },
        }),
      );
    }
    const createdAt = performance.now();
    await pool(tasks, 8);
    process.stdout.write(
      `created ${pairs * 2} objects in ${((performance.now() - createdAt) / 1000).toFixed(1)} s\n`,
    );

    // The synthetic fleet: every second, every target and policy counts one more request.
    let running = true;
    const fleet = (async () => {
      for (let tick = 0; running; tick++) {
        const now = Date.now();
        const minute = new Map<string, number>();
        const month = new Map<string, number>();
        for (let i = 0; i < pairs; i++) {
          const target = `p${i}/m`;
          minute.set(targetField.attempts(target), 1);
          minute.set(targetField.latency(target, bucketOf(50 + (tick % 7) * 40)), 1);
          month.set(targetField.spendUSD(target), 0.000123);
          month.set(policyField.requests(`${NS}/r${i}`), 1);
          month.set(policyField.spendUSD(`${NS}/r${i}`), 0.000123);
          month.set(policyField.tier(`${NS}/r${i}`, 'only'), 1);
        }
        await state.hashAdd(minuteKey(minuteOf(now)), minute, MINUTE_TTL_SECONDS);
        await state.hashAdd(monthKey(budgetMonth(now)), month, MONTH_TTL_SECONDS);
        await state.hashSet(
          PODS_KEY,
          'bench-pod',
          JSON.stringify({ pod: 'bench-pod', at: now, circuits: {} }),
          600,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - now))));
      }
    })();

    const watches = await Promise.all([
      watchApi(cp, `${crds}/modelproviders`),
      watchApi(cp, `${crds}/routepolicies`),
    ]);
    const operator = await startTestOperator(cluster, { redisUrl: redis.url });
    await waitFor('the operator reconciled', () => operator.lastReconcile(), 120_000);
    const rounds: string[] = [];
    let roundStarted = performance.now();
    operator.live?.onRound((round) => {
      const ms = performance.now() - roundStarted;
      roundStarted = performance.now();
      rounds.push(
        `${round.writes.written} written, ${round.writes.deferred} deferred in ${(ms / 1000).toFixed(1)} s`,
      );
    });
    const startedMs = Date.now();
    process.stdout.write(`measuring ${seconds} s with every object changing every second…\n`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const endedMs = Date.now();
    running = false;
    await fleet;
    await operator.stop();
    for (const watch of watches) watch.stop();

    const { writes, total, maxIn10s, longestGapMs } = countWrites(watches, startedMs, endedMs);
    const measuredS = (endedMs - startedMs) / 1000;
    const perObjectPer10s = (total / Math.max(1, writes.size) / measuredS) * 10;
    const naive = 10; // one write per change, a change per second
    process.stdout.write(
      [
        `objects written: ${writes.size} of ${pairs * 2}`,
        `status.live writes: ${total} in ${measuredS.toFixed(0)} s = ${(total / measuredS).toFixed(1)}/s (cap 40/s)`,
        `writes per object per 10 s: mean ${perObjectPer10s.toFixed(2)}, max in any 10 s window ${maxIn10s} (goal ≤ 1; writing on every change: ${naive}, ratio ${(perObjectPer10s / naive).toFixed(3)})`,
        `longest time an object went unwritten while changing: ${(longestGapMs / 1000).toFixed(1)} s (goal ≤ 30 s)`,
        `rounds: ${rounds.join('; ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    await state.close();
    await redis.stop();
    await cp.stop();
  }
}

/** Writes of status.live per object, from the watches: events whose updatedAt moved. */
function countWrites(
  watches: readonly ApiWatch[],
  startedMs: number,
  endedMs: number,
): { writes: Map<string, number[]>; total: number; maxIn10s: number; longestGapMs: number } {
  const writes = new Map<string, number[]>();
  const lastStamp = new Map<string, string>();
  for (const watch of watches) {
    for (const event of watch.events) {
      if (event.atMs < startedMs || event.atMs > endedMs) continue;
      const object = event.object as unknown as {
        metadata: { name: string };
        status?: { live?: { updatedAt?: string } };
      };
      const stamp = object.status?.live?.updatedAt;
      const key = object.metadata.name;
      if (stamp === undefined || lastStamp.get(key) === stamp) continue;
      lastStamp.set(key, stamp);
      writes.set(key, [...(writes.get(key) ?? []), event.atMs]);
    }
  }
  let maxIn10s = 0;
  let longestGapMs = 0;
  let total = 0;
  for (const times of writes.values()) {
    total += times.length;
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 10_000).length;
      maxIn10s = Math.max(maxIn10s, inWindow);
      if (i > 0) longestGapMs = Math.max(longestGapMs, times[i]! - times[i - 1]!);
    }
  }
  return { writes, total, maxIn10s, longestGapMs };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`live-status: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
