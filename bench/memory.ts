// 4. Memory (issue 3): the proxy's resident set when idle, then every 10,000 requests of steady
// load. The proxy runs with bench/gc-hook.ts preloaded, so each reading comes twice — as it is,
// and after a full garbage collection (what is held, not what V8 has yet to collect) — with the
// bytes V8 allocated per request, which drives GC pauses. Baselines in the same run: Node itself,
// Node running a .ts file, the fake provider and Portkey, idle; the bare proxy's allocation.
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import type { BenchContext } from './lib/context.ts';
import { gcProbe, type GcProbe } from './lib/gc-probe.ts';
import { chatBody } from './lib/http.ts';
import { BENCH_MODEL, writeManifests } from './lib/manifests.ts';
import { portkeyIfWanted } from './lib/portkey.ts';
import { BenchProcess, rssBytes } from './lib/processes.ts';
import { formatMB, formatNumber, formatRatio, type Report } from './lib/report.ts';
import {
  ROOT,
  startBareProxy,
  startFake,
  startSwitchyard,
  type FakeService,
  type SwitchyardService,
} from './lib/services.ts';

/** Issue 3's memory goals, and how much growth under steady load still counts as flat. */
export const MEMORY_GOALS = { idleRssMB: 80, flatGrowthMB: 10, heapGrowthMB: 5 } as const;

const BATCH = 10_000;
const CONNECTIONS = 16;

/** One reading of the proxy's memory, in bytes. */
interface Reading {
  rss: number;
  heapUsed: number;
  rssAfterGc: number;
  heapUsedAfterGc: number;
  allocatedBytes: number;
}

/** Runs measurement 4. */
export async function measureMemory(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('memory', '4. Memory: idle RSS, and RSS every 10,000 requests of steady load');
  const fake = await startFake();
  const manifests = writeManifests(
    [{ name: 'fake', baseURL: fake.url }],
    [{ alias: 'bench', providers: ['fake'] }],
  );
  const probe = gcProbe();
  const [switchyard, portkey, nodeFloor, tsFloor] = await Promise.all([
    startSwitchyard({ manifests, nodeFlags: probe.nodeFlags, env: probe.env }),
    portkeyIfWanted(ctx),
    startIdle('node -e', ['-e', 'process.stdout.write("{}\\n"); setInterval(() => {}, 60000)']),
    startIdle('node idle .ts', [join(ROOT, 'bench/idle-process.ts')]),
  ]);
  // Let startup settle, as a pod would between its readiness probe and its first request.
  await delay(2000);
  const idleSplit = {
    anon: rssBytes(switchyard.process.pid, 'RssAnon'),
    file: rssBytes(switchyard.process.pid, 'RssFile'),
  };
  const idle = await read(switchyard, probe);
  const baselines: [string, number][] = [
    ['node, idle (JavaScript)', rssBytes(nodeFloor.pid)],
    ['node, idle .ts file (type stripping loaded)', rssBytes(tsFloor.pid)],
    ['fake provider (node:http + zod, .ts)', rssBytes(fake.process.pid)],
  ];
  if (portkey !== undefined) baselines.push(['portkey', rssBytes(portkey.process.pid)]);
  report.table([
    ['process (idle)', 'RSS', 'vs Switchyard'],
    ['switchyard (config loaded, metrics on)', formatMB(idle.rss), ''],
    ['switchyard after a full GC', formatMB(idle.rssAfterGc), ''],
    ...baselines.map(([name, rss]) => [name, formatMB(rss), formatRatio(rss / idle.rss)]),
  ]);
  report.line(`  switchyard's V8 heap held after a full GC: ${formatMB(idle.heapUsedAfterGc)}`);
  // File-backed pages (mostly the Node binary's code) are shared by every Node process on the
  // host and vary with what other processes touched (fault-around); the anonymous part is the
  // process's own.
  report.line(
    `  switchyard's idle RSS: ${formatMB(idleSplit.anon)} anonymous, ${formatMB(idleSplit.file)} file-backed (Node's binary, shared)`,
  );
  report.figure('switchyard idle RSS anonymous', idleSplit.anon / 1e6, 'MB');
  report.figure('switchyard idle RSS file-backed', idleSplit.file / 1e6, 'MB');
  report.figure('switchyard idle RSS', idle.rss / 1e6, 'MB');
  report.figure('switchyard idle RSS after GC', idle.rssAfterGc / 1e6, 'MB');
  report.figure('switchyard idle heap held after GC', idle.heapUsedAfterGc / 1e6, 'MB');
  for (const [name, rss] of baselines) report.figure(`${name} RSS`, rss / 1e6, 'MB');
  report.check('idle RSS', idle.rss / 1e6, '<=', MEMORY_GOALS.idleRssMB, 'MB');
  const perRequest = await steadyLoad(ctx, { switchyard, probe, idle });
  await bareAllocation(ctx, fake, perRequest);
}

async function startIdle(name: string, args: string[]): Promise<BenchProcess> {
  const child = new BenchProcess({ name, command: process.execPath, args });
  await child.firstLine();
  return child;
}

/** RSS and heap as they are, then after the hook's full GC. */
async function read(switchyard: SwitchyardService, probe: GcProbe): Promise<Reading> {
  const { pid } = switchyard.process;
  const rss = rssBytes(pid);
  const heapUsed = await heap(switchyard);
  const gc = await probe.read(pid);
  return { rss, heapUsed, rssAfterGc: rssBytes(pid), ...gc };
}

/** Sends the batches, prints the readings, checks flatness; returns bytes allocated per request. */
async function steadyLoad(
  ctx: BenchContext,
  run: { switchyard: SwitchyardService; probe: GcProbe; idle: Reading },
): Promise<number> {
  const { report } = ctx;
  const batches = ctx.size(3, 10);
  report.line(
    `\n  ${batches} × ${formatNumber(BATCH)} requests, ${CONNECTIONS} concurrent, request log on`,
  );
  const readings: Reading[] = [];
  const rates: number[] = [];
  for (let b = 0; b < batches; b++) {
    rates.push(await sendBatch(run.switchyard.origin, 'bench', BATCH));
    readings.push(await read(run.switchyard, run.probe));
  }
  printReadings(report, run.idle, readings, rates);
  // The first half of the run grows the heap to its working size: V8 doubles its young
  // generation while allocation keeps up (each step ~13–27 MB of RSS; the proxy's post-startup
  // compaction leaves it at its minimum), so a step can land anywhere in the first ~50,000
  // requests. From the middle on RSS should stay put; a leak keeps growing through the second half.
  const settledAt = Math.max(0, Math.floor(readings.length / 2) - 1);
  const settled = readings[settledAt] as Reading;
  const last = readings.at(-1) as Reading;
  const from = formatNumber((settledAt + 1) * BATCH);
  const growthMB = (last.rss - settled.rss) / 1e6;
  const growthName = `RSS growth from ${from} to ${formatNumber(readings.length * BATCH)} requests`;
  // Three batches are too few for the heap to reach its working size: --quick only reports it.
  if (ctx.options.quick)
    report.line(`  ${growthName}: ${growthMB.toFixed(1)} MB (judged by the full run)`);
  else report.check(growthName, growthMB, '<=', MEMORY_GOALS.flatGrowthMB, 'MB');
  report.expect(
    `heap held after GC, growth from ${from} requests (a leak shows here)`,
    (last.heapUsedAfterGc - settled.heapUsedAfterGc) / 1e6,
    '<=',
    MEMORY_GOALS.heapGrowthMB,
    'MB',
  );
  return (
    (last.allocatedBytes - settled.allocatedBytes) /
    ((readings.length - settledAt - 1) * BATCH || 1)
  );
}

function printReadings(
  report: Report,
  idle: Reading,
  readings: readonly Reading[],
  rates: readonly number[],
): void {
  const rows = [
    [
      'after requests',
      'RSS',
      'heap used',
      'RSS after GC',
      'heap after GC',
      'KB allocated/req',
      'req/s',
    ],
  ];
  rows.push([
    '0 (idle)',
    formatMB(idle.rss),
    formatMB(idle.heapUsed),
    formatMB(idle.rssAfterGc),
    formatMB(idle.heapUsedAfterGc),
    '',
    '',
  ]);
  readings.forEach((r, i) => {
    const previous = i === 0 ? idle : (readings[i - 1] as Reading);
    const allocated = (r.allocatedBytes - previous.allocatedBytes) / BATCH / 1000;
    rows.push([
      formatNumber((i + 1) * BATCH),
      formatMB(r.rss),
      formatMB(r.heapUsed),
      formatMB(r.rssAfterGc),
      formatMB(r.heapUsedAfterGc),
      formatNumber(allocated, 1),
      formatNumber(rates[i] ?? 0),
    ]);
    report.figure(`RSS after ${(i + 1) * BATCH} requests`, r.rss / 1e6, 'MB');
    report.figure(`heap after GC after ${(i + 1) * BATCH} requests`, r.heapUsedAfterGc / 1e6, 'MB');
  });
  report.table(rows);
}

/** The same load through the bare proxy, for the allocation a request costs at the least. */
async function bareAllocation(
  ctx: BenchContext,
  fake: FakeService,
  switchyardPerRequest: number,
): Promise<void> {
  const probe = gcProbe();
  const bare = await startBareProxy(fake.url, { nodeFlags: probe.nodeFlags, env: probe.env });
  const count = ctx.size(BATCH / 2, BATCH);
  await sendBatch(bare.origin, undefined, count / 2); // warm-up
  const before = await probe.read(bare.process.pid);
  await sendBatch(bare.origin, undefined, count);
  const after = await probe.read(bare.process.pid);
  const barePerRequest = (after.allocatedBytes - before.allocatedBytes) / count;
  ctx.report.line(
    `  V8 allocation per request: Switchyard ${formatNumber(switchyardPerRequest / 1000, 1)} KB, bare proxy ${formatNumber(barePerRequest / 1000, 1)} KB (${formatRatio(switchyardPerRequest / barePerRequest)}); young-generation GC work grows with it`,
  );
  ctx.report.figure('switchyard KB allocated per request', switchyardPerRequest / 1000, 'KB');
  ctx.report.figure('bare proxy KB allocated per request', barePerRequest / 1000, 'KB');
  await bare.process.stop();
}

/** Sends `count` chat completions with CONNECTIONS in flight; resolves to requests/s. */
async function sendBatch(
  origin: string,
  model: string | undefined,
  count: number,
): Promise<number> {
  const pool = new Pool(origin, {
    connections: CONNECTIONS,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = chatBody(model ?? BENCH_MODEL);
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const response = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers,
        body,
      });
      await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      if (response.statusCode !== 200) throw new Error(`${origin} answered ${response.statusCode}`);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  } finally {
    await pool.close();
  }
  return count / ((performance.now() - started) / 1000);
}

/** V8 heap in use, from the proxy's own /metrics (prom-client's default metrics), in bytes. */
async function heap(switchyard: SwitchyardService): Promise<number> {
  const text = await (await fetch(switchyard.metricsUrl)).text();
  const match = /^switchyard_process_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}
