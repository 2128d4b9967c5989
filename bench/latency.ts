// 1. Added latency at concurrency 1 (issue 3): the same zero-delay fake called directly, through
// the bare proxy (the floor of our stack), through Switchyard and through Portkey, in interleaved
// rounds so that drift and noise hit all of them alike.
import type { BenchContext } from './lib/context.ts';
import {
  Client,
  closeAll,
  durations,
  endpoint,
  interleaved,
  warmUp,
  type Timed,
} from './lib/http.ts';
import { writeManifests } from './lib/manifests.ts';
import { portkeyIfWanted } from './lib/portkey.ts';
import { cpuSeconds, type BenchProcess } from './lib/processes.ts';
import { formatMs, formatRatio, type Report } from './lib/report.ts';
import { startBareProxy, startFake, startSwitchyard } from './lib/services.ts';
import { addedLatency, summarize, type AddedLatency } from './lib/stats.ts';

/** Issue 3's goals for added latency at concurrency 1, in ms. */
export const LATENCY_GOALS = { p50Ms: 0.15, p99Ms: 0.5 } as const;

/** Runs measurement 1 and reports added p50/p99 of Switchyard (and Portkey) over direct calls. */
export async function measureLatency(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section(
    'latency',
    '1. Added latency, concurrency 1, interleaved rounds (direct → bare proxy → Switchyard → Portkey)',
  );
  const fake = await startFake();
  const manifests = writeManifests(
    [{ name: 'fake', baseURL: fake.url }],
    [{ alias: 'bench', providers: ['fake'] }],
  );
  const [bare, switchyard, portkey] = await Promise.all([
    startBareProxy(fake.url),
    startSwitchyard({ manifests }),
    portkeyIfWanted(ctx),
  ]);
  const clients = [
    new Client(endpoint('direct', fake.origin)),
    new Client(endpoint('bare proxy', bare.origin)),
    new Client(endpoint('switchyard', switchyard.origin, 'bench')),
  ];
  if (portkey !== undefined)
    clients.push(
      new Client(endpoint('portkey', portkey.origin, undefined, portkey.headersFor(fake.url))),
    );
  try {
    await warmUp(clients, ctx.size(300, 1000));
    const processes: [string, BenchProcess][] = [
      ['fake', fake.process],
      ['bare proxy', bare.process],
      ['switchyard', switchyard.process],
    ];
    if (portkey !== undefined) processes.push(['portkey', portkey.process]);
    const cpuBefore = processes.map(([, p]) => cpuSeconds(p.pid));
    const timed = await interleaved(clients, ctx.size(1500, 10_000), ctx.size(25_000, 150_000));
    const rounds = timed[0]?.length ?? 0;
    const cpu = processes.map(([name, p], i) => {
      // The fake answers every endpoint of a round; each gateway one request per round.
      const requests = Math.max(1, rounds) * (name === 'fake' ? clients.length : 1);
      const perRequest = (cpuSeconds(p.pid) - (cpuBefore[i] ?? 0)) / requests;
      report.figure(`${name} CPU per request at concurrency 1`, perRequest * 1000, 'ms');
      return `${name} ${formatMs(perRequest * 1000)}`;
    });
    const added = printTable(report, clients, timed);
    const sy = added.get('switchyard') as AddedLatency;
    printOverhead(report, timed[2] ?? []);
    report.line(`  CPU time per request (from /proc, robust to other load): ${cpu.join(', ')}`);
    const bareAdded = added.get('bare proxy') as AddedLatency;
    report.line(
      `  Switchyard over the bare proxy: p50 +${formatMs(sy.paired.p50 - bareAdded.paired.p50)}, p99 +${formatMs(sy.paired.p99 - bareAdded.paired.p99)} (its routing, accounting, metrics and log)`,
    );
    const pk = added.get('portkey');
    if (pk !== undefined) {
      report.line(
        `  Portkey adds ${formatRatio(pk.paired.p50 / sy.paired.p50)} Switchyard's added p50 and ${formatRatio(pk.paired.p99 / sy.paired.p99)} its added p99`,
      );
    }
    report.check('added p50 (paired)', sy.paired.p50, '<=', LATENCY_GOALS.p50Ms, 'ms');
    report.check('added p99 (paired)', sy.paired.p99, '<=', LATENCY_GOALS.p99Ms, 'ms');
  } finally {
    await closeAll(clients);
  }
}

/** Prints one row per endpoint and returns each gateway's added latency over `direct`. */
function printTable(
  report: Report,
  clients: readonly Client[],
  timed: readonly Timed[][],
): Map<string, AddedLatency> {
  const samples = timed.map(durations);
  const direct = samples[0] as number[];
  const added = new Map<string, AddedLatency>();
  const rows = [
    ['endpoint', 'n', 'p50', 'p90', 'p99', 'max', '+p50', '+p99', '+p50 Δpct', '+p99 Δpct'],
  ];
  clients.forEach((client, i) => {
    const name = client.endpoint.name;
    const s = summarize(samples[i] as number[]);
    report.figure(`${name} p50`, s.p50, 'ms');
    report.figure(`${name} p99`, s.p99, 'ms');
    const row = [
      name,
      String(s.n),
      formatMs(s.p50),
      formatMs(s.p90),
      formatMs(s.p99),
      formatMs(s.max),
    ];
    if (i === 0) {
      rows.push([...row, '', '', '', '']);
      return;
    }
    const a = addedLatency(samples[i] as number[], direct);
    added.set(name, a);
    rows.push([
      ...row,
      ...[a.paired.p50, a.paired.p99, a.ofPercentiles.p50, a.ofPercentiles.p99].map(formatMs),
    ]);
    report.figure(`${name} added p50 (paired)`, a.paired.p50, 'ms');
    report.figure(`${name} added p99 (paired)`, a.paired.p99, 'ms');
    report.figure(`${name} added p50 (difference of percentiles)`, a.ofPercentiles.p50, 'ms');
    report.figure(`${name} added p99 (difference of percentiles)`, a.ofPercentiles.p99, 'ms');
  });
  report.table(rows);
  report.line(
    '  +p50/+p99: percentiles of (gateway − direct) per round; Δpct: gateway percentile − direct percentile',
  );
  return added;
}

/** What Switchyard says it added (x-switchyard-overhead-ms), next to what the client saw. */
function printOverhead(report: Report, timed: readonly Timed[]): void {
  const overhead = summarize(
    timed.map((t) => Number(t.headers['x-switchyard-overhead-ms'] ?? Number.NaN)),
  );
  report.line(
    `  Switchyard's own x-switchyard-overhead-ms: p50 ${formatMs(overhead.p50)}, p99 ${formatMs(overhead.p99)}`,
  );
  report.figure('switchyard self-reported overhead p50', overhead.p50, 'ms');
  report.figure('switchyard self-reported overhead p99', overhead.p99, 'ms');
}
