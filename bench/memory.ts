// 4. Memory (issue 3): the proxy's resident set when idle, then after every 10,000 requests of
// steady load, with the V8 heap from its own /metrics. Baselines: the fake (a bare node:http
// server) and Portkey, idle, in the same run.
import { Pool } from 'undici';
import type { BenchContext } from './lib/context.ts';
import { chatBody } from './lib/http.ts';
import { writeManifests } from './lib/manifests.ts';
import { portkeyIfWanted } from './lib/portkey.ts';
import { rssBytes } from './lib/processes.ts';
import { formatMB, formatNumber, formatRatio } from './lib/report.ts';
import { startFake, startSwitchyard, type SwitchyardService } from './lib/services.ts';

/** Issue 3's memory goals, and how much growth under steady load still counts as flat. */
export const MEMORY_GOALS = { idleRssMB: 80, flatGrowthMB: 10 } as const;

const BATCH = 10_000;
const CONNECTIONS = 16;

/** Runs measurement 4. */
export async function measureMemory(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('memory', '4. Memory: idle RSS, and RSS every 10,000 requests of steady load');
  const fake = await startFake();
  const manifests = writeManifests(
    [{ name: 'fake', baseURL: fake.url }],
    [{ alias: 'bench', providers: ['fake'] }],
  );
  const [switchyard, portkey] = await Promise.all([
    startSwitchyard({ manifests }),
    portkeyIfWanted(ctx),
  ]);
  // Let startup garbage settle, as a pod would between its readiness probe and its first request.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const idle = rssBytes(switchyard.process.pid);
  const fakeIdle = rssBytes(fake.process.pid);
  const portkeyIdle = portkey === undefined ? Number.NaN : rssBytes(portkey.process.pid);
  report.table([
    ['process (idle)', 'RSS', 'vs Switchyard'],
    ['switchyard (config loaded, metrics on)', formatMB(idle), ''],
    ['fake provider (bare node:http)', formatMB(fakeIdle), formatRatio(fakeIdle / idle)],
    ...(portkey === undefined
      ? []
      : [['portkey', formatMB(portkeyIdle), formatRatio(portkeyIdle / idle)]]),
  ]);
  report.figure('switchyard idle RSS', idle / 1e6, 'MB');
  report.figure('fake idle RSS', fakeIdle / 1e6, 'MB');
  if (portkey !== undefined) report.figure('portkey idle RSS', portkeyIdle / 1e6, 'MB');
  report.check('idle RSS', idle / 1e6, '<=', MEMORY_GOALS.idleRssMB, 'MB');
  await steadyLoad(ctx, switchyard, idle);
}

async function steadyLoad(
  ctx: BenchContext,
  switchyard: SwitchyardService,
  idle: number,
): Promise<void> {
  const { report } = ctx;
  const batches = ctx.size(3, 10);
  report.line(
    `\n  ${batches} × ${formatNumber(BATCH)} requests, ${CONNECTIONS} concurrent, request log on`,
  );
  const pool = new Pool(switchyard.origin, { connections: CONNECTIONS });
  const rows = [['after requests', 'RSS', 'V8 heap used', 'V8 heap total', 'req/s']];
  const idleHeap = await heap(switchyard);
  rows.push(['0 (idle)', formatMB(idle), formatMB(idleHeap.used), formatMB(idleHeap.total), '']);
  const rss: number[] = [];
  let sent = 0;
  try {
    for (let b = 0; b < batches; b++) {
      const started = performance.now();
      await sendBatch(pool, BATCH);
      const rps = BATCH / ((performance.now() - started) / 1000);
      sent += BATCH;
      rss.push(rssBytes(switchyard.process.pid));
      const h = await heap(switchyard);
      const r = rss.at(-1) ?? 0;
      rows.push([
        formatNumber(sent),
        formatMB(r),
        formatMB(h.used),
        formatMB(h.total),
        formatNumber(rps),
      ]);
      report.figure(`RSS after ${sent} requests`, r / 1e6, 'MB');
      report.figure(`heap used after ${sent} requests`, h.used / 1e6, 'MB');
    }
  } finally {
    await pool.close();
  }
  report.table(rows);
  // The first batch grows the heap to its working size; from then on it should stay put.
  const settled = rss[1] ?? rss[0] ?? Number.NaN;
  const growthMB = ((rss.at(-1) ?? Number.NaN) - settled) / 1e6;
  report.line(
    `  growth from ${formatNumber(rss.length > 1 ? 2 * BATCH : BATCH)} to ${formatNumber(sent)} requests: ${growthMB.toFixed(1)} MB`,
  );
  report.check(
    `RSS growth under steady load (after ${formatNumber(rss.length > 1 ? 2 * BATCH : BATCH)} requests)`,
    growthMB,
    '<=',
    MEMORY_GOALS.flatGrowthMB,
    'MB',
  );
}

async function sendBatch(pool: Pool, count: number): Promise<void> {
  const body = chatBody('bench');
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
      if (response.statusCode !== 200)
        throw new Error(`switchyard answered ${response.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
}

/** The V8 heap, from the proxy's own /metrics (prom-client's default metrics), in bytes. */
async function heap(switchyard: SwitchyardService): Promise<{ used: number; total: number }> {
  const text = await (await fetch(switchyard.metricsUrl)).text();
  const gauge = (name: string): number => {
    const match = new RegExp(
      `^switchyard_process_nodejs_heap_size_${name}_bytes (\\S+)$`,
      'm',
    ).exec(text);
    return match?.[1] === undefined ? Number.NaN : Number(match[1]);
  };
  return { used: gauge('used'), total: gauge('total') };
}
