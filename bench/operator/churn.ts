// Measurement 3: the operator's memory under churn. With the 1,000 custom resources in place,
// RoutePolicies are edited one after another (round-robin over all 800, a new rule keyword each
// time) at a steady pace that keeps the operator reconciling back to back. The operator process
// reports process.memoryUsage() every 250 ms, and at checkpoints the benchmark asks for the
// retained heap: heapUsed right after two forced full collections, which is what a leak grows.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv } from './bench-env.ts';
import { Child } from './children.ts';
import { SCALE_SHAPE, scaleNamespaces, scaleRules } from './manifests.ts';
import type { MemorySample, OperatorMessage } from './messages.ts';
import { memorySince, reconcilesSince, sampleMemory, waitSettled } from './operator-reports.ts';
import { formatMiB, formatMs, formatRatio, type Report } from './report.ts';
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
/** Time windows of the churn whose RSS peaks make the RSS envelope. */
const RSS_WINDOWS = 8;

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

/**
 * RSS rises and falls with V8's heap growing and shrinking between collections, so single
 * samples scatter by tens of MiB; the peak of each of `windows` equal time windows of the churn
 * (the envelope) is what a leak would push up.
 */
function rssEnvelope(
  samples: readonly MemorySample[],
  startMs: number,
  churnMs: number,
  windows: number,
): number[] {
  const peaks = Array.from({ length: windows }, () => 0);
  for (const sample of samples) {
    const window = Math.floor(((sample.atMs - startMs) / churnMs) * windows);
    if (window >= 0 && window < windows) peaks[window] = Math.max(peaks[window]!, sample.rss);
  }
  return peaks.filter((peak) => peak > 0);
}

/** The memory of a process that only loaded the operator's modules (the baseline). */
async function moduleFloor(): Promise<MemorySample> {
  const child = new Child<never, OperatorMessage>('module-floor', './module-floor-process.ts', {}, [
    '--expose-gc',
  ]);
  try {
    const message = await child.next(
      (m): m is Extract<OperatorMessage, { type: 'memory' }> => m.type === 'memory',
    );
    return message.sample;
  } finally {
    await child.kill();
  }
}

/** Runs measurement 3 and prints it. */
export async function measureChurn(env: BenchEnv, report: Report, plan: ChurnPlan): Promise<void> {
  report.section(
    `3. Operator memory under churn (${plan.edits} edits over 1,000 custom resources)`,
  );
  await waitSettled(env.operator);
  const start = await sampleMemory(env.operator, true);
  const from = env.operator.messages.length;
  const proxyStart = await Promise.all(env.proxies.map(({ child }) => sampleMemory(child, true)));
  const began = performance.now();
  const points = await churn(env, plan);
  const churnMs = performance.now() - began;
  await waitSettled(env.operator);
  const end = await sampleMemory(env.operator, true);
  const proxyEnd = await Promise.all(env.proxies.map(({ child }) => sampleMemory(child, true)));

  const floor = await moduleFloor();
  const samples = memorySince(env.operator, from).filter((s) => !s.afterGc);
  const reconciles = reconcilesSince(env.operator, from);
  const retained = [...points, { edit: plan.edits, sample: end }];
  // The first checkpoint is the warm-up boundary: the trend is fitted from there to the end.
  const heapTrend = trend(retained.map((p) => ({ x: p.edit, y: p.sample.heapUsed })));
  const envelope = rssEnvelope(samples, start.atMs, churnMs, RSS_WINDOWS);
  const rssTrend = trend(envelope.map((rss, window) => ({ x: window, y: rss })));
  const editsPerSecond = plan.edits / (churnMs / 1000);
  const heapGrowth = heapTrend.slope * plan.edits;
  const rssGrowth = rssTrend.slope * (envelope.length - 1);

  report.table([
    ['operator process', 'start', 'peak', 'end', 'trend'],
    [
      'RSS',
      formatMiB(start.rss),
      formatMiB(Math.max(start.rss, end.rss, ...samples.map((s) => s.rss))),
      formatMiB(end.rss),
      `peak per window ${formatMiB(rssGrowth)} over the run, ±${formatMiB(rssTrend.residualSd)} scatter`,
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
    `  RSS peak per ${formatMs(churnMs / envelope.length)} window (MiB): ${envelope
      .map((rss) => (rss / MiB).toFixed(0))
      .join(', ')}`,
  );
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
    `  baseline, a Node process with the operator's modules loaded and nothing started: ` +
      `RSS ${formatMiB(floor.rss)}, retained heap ${formatMiB(floor.heapUsed)}; ` +
      `end / baseline: RSS ${formatRatio(end.rss / floor.rss)}, retained heap ${formatRatio(end.heapUsed / floor.heapUsed)}`,
  );
  report.line(
    `  operator heap total / external at the end: ${formatMiB(end.heapTotal)} / ${formatMiB(end.external)}`,
  );
  env.proxies.forEach(({ child }, index) => {
    const [before, after] = [proxyStart[index]!, proxyEnd[index]!];
    report.line(
      `  ${child.name}: RSS ${formatMiB(before.rss)} → ${formatMiB(after.rss)}, ` +
        `retained heap ${formatMiB(before.heapUsed)} → ${formatMiB(after.heapUsed)}`,
    );
  });
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
  const rssLimit = Math.max(16 * MiB, 0.05 * start.rss);
  report.check(
    'churn: RSS peak-per-window growth over the run (trend)',
    rssGrowth / MiB,
    rssLimit / MiB,
    'MiB',
    'extra',
  );
}
