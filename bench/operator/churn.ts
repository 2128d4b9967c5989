// Measurement 3: the operator's memory under churn. With the 1,000 custom resources in place,
// RoutePolicies are edited one after another (round-robin over all 800, a new rule keyword each
// time) at a steady pace that keeps the operator reconciling back to back. The operator process
// reports process.memoryUsage() every 250 ms, and at checkpoints the benchmark asks for the
// retained heap: heapUsed right after two forced full collections, which is what a leak grows.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv } from './bench-env.ts';
import { SCALE_SHAPE, scaleNamespaces, scaleRules } from './manifests.ts';
import type { MemorySample } from './messages.ts';
import { memorySince, reconcilesSince, sampleMemory, waitSettled } from './operator-reports.ts';
import { formatMiB, formatMs, type Report } from './report.ts';
import { median, trend } from './stats.ts';

/** How the churn runs. */
export interface ChurnPlan {
  edits: number;
  /** One edit is sent every this many ms (when the API server keeps up). */
  intervalMs: number;
  /** Retained-heap checkpoints during the churn (besides start and end). */
  checkpoints: number;
}

const MiB = 2 ** 20;

async function editPolicy(env: BenchEnv, index: number): Promise<void> {
  const namespaces = scaleNamespaces(SCALE_SHAPE);
  const namespace = namespaces[index % namespaces.length]!;
  const policy = Math.floor(index / namespaces.length) % SCALE_SHAPE.policiesPerNamespace;
  await env.admin.request({
    method: 'PATCH',
    path: `/apis/switchyard.dev/v1alpha1/namespaces/${namespace}/routepolicies/route-${policy}`,
    body: { spec: { classification: { rules: scaleRules(`churn-${index}`) } } },
    contentType: 'application/merge-patch+json',
  });
}

/** Runs the edits, taking a retained-heap checkpoint every `edits / checkpoints` edits. */
async function churn(
  env: BenchEnv,
  plan: ChurnPlan,
): Promise<{ edit: number; sample: MemorySample }[]> {
  const points: { edit: number; sample: MemorySample }[] = [];
  const every = Math.max(1, Math.floor(plan.edits / plan.checkpoints));
  let due = performance.now();
  for (let index = 0; index < plan.edits; index++) {
    await editPolicy(env, index);
    if ((index + 1) % every === 0 && index + 1 < plan.edits) {
      points.push({ edit: index + 1, sample: await sampleMemory(env.operator, true) });
    }
    due += plan.intervalMs;
    await sleep(Math.max(0, due - performance.now()));
  }
  return points;
}

/** Runs measurement 3 and prints it. */
export async function measureChurn(env: BenchEnv, report: Report, plan: ChurnPlan): Promise<void> {
  report.section(
    `3. Operator memory under churn (${plan.edits} edits over 1,000 custom resources)`,
  );
  await waitSettled(env.operator);
  const start = await sampleMemory(env.operator, true);
  const from = env.operator.messages.length;
  const proxyStart = env.proxies.map(({ child }) => child.rssBytes());
  const began = performance.now();
  const points = await churn(env, plan);
  const churnMs = performance.now() - began;
  await waitSettled(env.operator);
  const end = await sampleMemory(env.operator, true);
  const proxyEnd = env.proxies.map(({ child }) => child.rssBytes());

  const samples = memorySince(env.operator, from).filter((s) => !s.afterGc);
  const reconciles = reconcilesSince(env.operator, from);
  const retained = [...points, { edit: plan.edits, sample: end }];
  // The first checkpoint is the warm-up boundary: the trend is fitted from there to the end.
  const heapTrend = trend(retained.map((p) => ({ x: p.edit, y: p.sample.heapUsed })));
  const half = samples.filter((s) => s.atMs >= (samples[0]?.atMs ?? 0) + churnMs / 2);
  const rssTrend = trend(half.map((s) => ({ x: (s.atMs - start.atMs) / 1000, y: s.rss })));
  const editsPerSecond = plan.edits / (churnMs / 1000);
  const heapGrowth = heapTrend.slope * plan.edits;
  const rssGrowth = rssTrend.slope * (churnMs / 2000);

  report.table([
    ['operator process', 'start', 'peak', 'end', 'trend'],
    [
      'RSS',
      formatMiB(start.rss),
      formatMiB(Math.max(start.rss, end.rss, ...samples.map((s) => s.rss))),
      formatMiB(end.rss),
      `${(rssTrend.slope / 1024).toFixed(0)} KiB/s over the 2nd half (${formatMiB(rssGrowth)})`,
    ],
    [
      'heap used (sampled every 250 ms)',
      formatMiB(start.heapUsed),
      formatMiB(Math.max(...samples.map((s) => s.heapUsed))),
      formatMiB(end.heapUsed),
      '',
    ],
    [
      'retained heap (after full GC)',
      formatMiB(start.heapUsed),
      formatMiB(Math.max(...retained.map((p) => p.sample.heapUsed))),
      formatMiB(end.heapUsed),
      `${((heapTrend.slope / 1024) * 100).toFixed(1)} KiB per 100 edits (${formatMiB(heapGrowth)} over the run, ±${formatMiB(heapTrend.residualSd)} scatter)`,
    ],
  ]);
  report.line(
    `  retained heap at checkpoints (edit: MiB): ${[{ edit: 0, sample: start }, ...retained]
      .map((p) => `${p.edit}: ${(p.sample.heapUsed / MiB).toFixed(1)}`)
      .join(', ')}`,
  );
  const applied = reconciles.filter((r) => r.config === 'applied');
  report.line(
    `  ${plan.edits} edits in ${formatMs(churnMs)} (${editsPerSecond.toFixed(1)}/s); ` +
      `${reconciles.length} reconciles, ${applied.length} publications, ` +
      `compile median ${formatMs(median(applied.map((r) => r.compileMs)))}, ` +
      `longest reconcile ${formatMs(Math.max(0, ...reconciles.map((r) => r.durationMs)))}, ` +
      `${reconciles.reduce((sum, r) => sum + r.statusWritten, 0)} status writes, ` +
      `${reconciles.reduce((sum, r) => sum + r.statusFailed, 0)} failed`,
  );
  report.line(
    `  proxies' RSS start → end: ${proxyStart
      .map(
        (rss, index) =>
          `${formatMiB(rss ?? Number.NaN)} → ${formatMiB(proxyEnd[index] ?? Number.NaN)}`,
      )
      .join(', ')}`,
  );
  // Flat: the least-squares trend of the retained heap, projected over the whole run, stays
  // within 2 MiB or 5 % of the starting retained heap, whichever is larger.
  const heapLimit = Math.max(2 * MiB, 0.05 * start.heapUsed);
  report.check(
    'churn: retained-heap growth over the run (trend)',
    heapGrowth / MiB,
    heapLimit / MiB,
    'MiB',
    'goal',
  );
  const rssLimit = Math.max(8 * MiB, 0.05 * start.rss);
  report.check(
    'churn: RSS growth over the 2nd half (trend)',
    rssGrowth / MiB,
    rssLimit / MiB,
    'MiB',
    'extra',
  );
}
