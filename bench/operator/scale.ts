// Measurement 2: compile and publish 1,000 custom resources. The operator is stopped, the
// objects are created, and a fresh operator process starts: the figure is the time from its
// startOperator() call to the complete ConfigMap arriving on a bare watch (informers listing
// 1,000 objects, the Lease, compile, gzip, server-side apply). A single edit among the 1,000
// (one reconcile trigger) is timed too. Baseline: compile() alone, in this process, on the same
// snapshot read back from the API server.
import { compile } from '../../core/compile/compile.ts';
import {
  startOperatorChild,
  stopOperatorChild,
  publishedText,
  type BenchEnv,
} from './bench-env.ts';
import { scaleRules, SCALE_SHAPE, scaleNamespaces } from './manifests.ts';
import { wallMs, type OperatorMessage } from './messages.ts';
import {
  memorySince,
  nextReconcile,
  reconcilesSince,
  sampleMemory,
  waitSettled,
} from './operator-reports.ts';
import { formatMiB, formatMs, formatRatio, type Report } from './report.ts';
import { createScaleObjects, readSnapshot } from './scale-objects.ts';
import { median, percentiles } from './stats.ts';

/** What the scale measurement hands to later ones. */
export interface ScaleOutcome {
  /** ModelProviders and RoutePolicies in the cluster now. */
  objects: number;
}

interface CompileBaseline {
  coldMs: number;
  warmMs: number;
  configBytes: number;
  routes: number;
}

/** compile() on `snapshot`: its first run in this process (cold code), then `runs` warm runs. */
function compileBaseline(snapshot: Parameters<typeof compile>[0], runs: number): CompileBaseline {
  const coldStarted = performance.now();
  let result = compile(snapshot);
  const coldMs = performance.now() - coldStarted;
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    result = compile(snapshot);
    times.push(performance.now() - started);
  }
  return {
    coldMs,
    warmMs: median(times),
    configBytes: Buffer.byteLength(JSON.stringify(result.config)),
    routes: result.config.routes.length,
  };
}

/** Restarts the operator over the 1,000 objects and times the first publication. */
async function timeStart(env: BenchEnv, routes: number, sentinel: string) {
  const fromConfig = env.configMap.events.length;
  const spawnedAt = wallMs();
  env.operator = await startOperatorChild(env.cluster, 'operator-2');
  const starting = await env.operator.next(
    (m): m is Extract<OperatorMessage, { type: 'starting' }> => m.type === 'starting',
  );
  const published = await env.configMap
    .next((event) => publishedText(event.object).includes(`"${sentinel}"`), fromConfig, 60_000)
    .catch((error: unknown) => {
      throw new Error(
        `${(error as Error).message}; operator-2 said: ${JSON.stringify(env.operator.messages.filter((m) => m.type !== 'memory'))}\n${env.operator.stderrTail()}`,
      );
    });
  // An edit right after the first publication lands while the first reconcile still writes
  // the status of every object; status writes run in their own lane, so it should not wait.
  const sweepBusy = reconcilesSince(env.operator).length === 0;
  const duringSweep = await editUntilPublished(env, 1, 'edit-during-first-sweep');
  const first = await nextReconcile(env.operator, 0, (r) => r.config === 'applied');
  const config = JSON.parse(publishedText(published.object)) as { routes: unknown[] };
  if (config.routes.length !== routes) {
    throw new Error(`published ${config.routes.length} routes, compile() made ${routes}`);
  }
  return {
    startMs: published.atMs - starting.atMs,
    spawnMs: published.atMs - spawnedAt,
    compressed: published.object.binaryData !== undefined,
    first,
    duringSweepMs: sweepBusy ? duringSweep.publishedAt - duringSweep.sentAt : Number.NaN,
  };
}

/**
 * PATCHes one policy's rule keyword; resolves when a ConfigMap carrying it arrives, with the
 * wall times of the PATCH being sent and of that ConfigMap event.
 */
async function editUntilPublished(
  env: BenchEnv,
  index: number,
  keyword: string,
): Promise<{ sentAt: number; publishedAt: number }> {
  const namespaces = scaleNamespaces(SCALE_SHAPE);
  const namespace = namespaces[index % namespaces.length]!;
  const fromConfig = env.configMap.events.length;
  const started = wallMs();
  await env.admin.request({
    method: 'PATCH',
    path: `/apis/switchyard.dev/v1alpha1/namespaces/${namespace}/routepolicies/route-${index}`,
    body: { spec: { classification: { rules: scaleRules(keyword) } } },
    contentType: 'application/merge-patch+json',
  });
  const published = await env.configMap.next(
    (event) => publishedText(event.object).includes(`"${keyword}"`),
    fromConfig,
    60_000,
  );
  return { sentAt: started, publishedAt: published.atMs };
}

/** One edit among the 1,000 on a settled operator, with its reconcile's own figures. */
async function timeEdit(env: BenchEnv, index: number) {
  const fromOperator = env.operator.messages.length;
  const { sentAt, publishedAt } = await editUntilPublished(env, index, `single-edit-${index}`);
  const reconcile = await nextReconcile(env.operator, fromOperator, (r) => r.config === 'applied');
  await waitSettled(env.operator);
  return {
    publishedMs: publishedAt - sentAt,
    /** PATCH sent → the reconcile that published it started (watch delivery + debounce). */
    noticedMs: reconcile.atMs - reconcile.durationMs - sentAt,
    reconcile,
  };
}

/** Runs measurement 2 and prints it; leaves the 1,000 objects and the new operator running. */
export async function measureScale(
  env: BenchEnv,
  report: Report,
  edits: number,
): Promise<ScaleOutcome> {
  const shape = SCALE_SHAPE;
  const objects = shape.namespaces * (shape.providersPerNamespace + shape.policiesPerNamespace);
  report.section(`2. Compile and publish ${objects} custom resources`);
  const smallMemory = await sampleMemory(env.operator, true);
  await stopOperatorChild(env.operator);
  const createStarted = performance.now();
  await createScaleObjects(env, shape);
  const createMs = performance.now() - createStarted;

  const baseline = compileBaseline(await readSnapshot(env.cluster.cp), 5);
  const sentinel = `${scaleNamespaces(shape).at(-1)!}-alias-${shape.policiesPerNamespace - 1}`;
  const start = await timeStart(env, baseline.routes, sentinel);
  await waitSettled(env.operator);
  const settledMs = start.first.durationMs;
  const largeMemory = await sampleMemory(env.operator, true);
  const peakRss = Math.max(...memorySince(env.operator).map((sample) => sample.rss));
  const editRuns = [];
  for (let index = 0; index < edits; index++) editRuns.push(await timeEdit(env, index));
  const edit = percentiles(editRuns.map((run) => run.publishedMs));
  const editCompile = median(editRuns.map((run) => run.reconcile.compileMs));
  const editPublish = median(editRuns.map((run) => run.reconcile.publishMs));

  const ratio = (ms: number): string => formatRatio(ms / baseline.warmMs);
  report.table([
    ['what', 'time', '/ compile() warm'],
    [`create ${objects} objects (16 parallel POSTs; setup, not measured)`, formatMs(createMs), ''],
    [
      'compile() in this process, first run (cold code)',
      formatMs(baseline.coldMs),
      ratio(baseline.coldMs),
    ],
    [
      'compile() in this process, median of 5 warm runs (baseline)',
      formatMs(baseline.warmMs),
      '1.00×',
    ],
    ['operator start → ConfigMap published', formatMs(start.startMs), ratio(start.startMs)],
    [
      '  process spawn → ConfigMap published (adds Node start-up)',
      formatMs(start.spawnMs),
      ratio(start.spawnMs),
    ],
    [
      '  first reconcile: snapshot + compile() (cold process)',
      formatMs(start.first.compileMs),
      ratio(start.first.compileMs),
    ],
    [
      '  first reconcile: start → ConfigMap applied',
      formatMs(start.first.publishMs),
      ratio(start.first.publishMs),
    ],
    [
      `  first reconcile in all (${start.first.statusWritten} status writes)`,
      formatMs(settledMs),
      ratio(settledMs),
    ],
    [
      '  one edit sent during those status writes → ConfigMap published',
      formatMs(start.duringSweepMs),
      ratio(start.duringSweepMs),
    ],
    [`one edit → ConfigMap published, p50 of ${edit.n}`, formatMs(edit.p50), ratio(edit.p50)],
    [`one edit → ConfigMap published, max of ${edit.n}`, formatMs(edit.max), ratio(edit.max)],
    ['  its reconcile: snapshot + compile(), median', formatMs(editCompile), ratio(editCompile)],
    [
      '  its reconcile: start → ConfigMap applied, median',
      formatMs(editPublish),
      ratio(editPublish),
    ],
  ]);
  report.line(
    `  each edit, PATCH sent → its reconcile starts / → ConfigMap published: ${editRuns
      .map((run) => `${formatMs(run.noticedMs)} / ${formatMs(run.publishedMs)}`)
      .join(', ')}`,
  );
  report.line(
    `  config: ${baseline.routes} routes, ${(baseline.configBytes / 1e6).toFixed(2)} MB of JSON, ` +
      `stored ${start.compressed ? 'gzipped' : 'as JSON'} in the ConfigMap`,
  );
  report.line(
    `  operator memory (retained heap after full GC / RSS): ${env.initialObjects} CRs ` +
      `${formatMiB(smallMemory.heapUsed)} / ${formatMiB(smallMemory.rss)}; ${objects} CRs settled ` +
      `${formatMiB(largeMemory.heapUsed)} / ${formatMiB(largeMemory.rss)} (RSS peak ${formatMiB(peakRss)}, ` +
      `heap total ${formatMiB(largeMemory.heapTotal)}, external ${formatMiB(largeMemory.external)})`,
  );
  report.check(
    `${objects} CRs: operator start → ConfigMap published`,
    start.startMs,
    2000,
    'ms',
    'goal',
  );
  report.check(
    `${objects} CRs: one edit → ConfigMap published (max)`,
    edit.max,
    2000,
    'ms',
    'goal',
  );
  return { objects: objects + env.initialObjects };
}
