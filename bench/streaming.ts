// 3. Streaming (issue 3): added time to first token at concurrency 1, and a search for 40 ms
// stalls — the delayed-ACK/Nagle symptom — in the gaps between chunks of a paced stream.
import type { BenchContext } from './lib/context.ts';
import { Client, closeAll, endpoint, type Endpoint, type TimedStream } from './lib/http.ts';
import { writeManifests } from './lib/manifests.ts';
import { portkeyIfWanted, type PortkeyService } from './lib/portkey.ts';
import { formatMs, formatRatio } from './lib/report.ts';
import { startBareProxy, startFake, startSwitchyard, type FakeService } from './lib/services.ts';
import { addedLatency, summarize } from './lib/stats.ts';

/**
 * Issue 3's streaming goals: added TTFT p99; a stall is a gap of 35 ms or more, and "no stalls"
 * means at most 1 % of the gaps stall through Switchyard beyond those of the direct path.
 */
export const STREAMING_GOALS = { addedTtftP99Ms: 1, stallMs: 35, excessStallPercent: 1 } as const;

/** The paced fake's timing: every chunk 5 ms after the previous one. */
const PACED = { ttftMs: 5, chunkDelayMs: 5 } as const;

/** Runs measurement 3. */
export async function measureStreaming(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('streaming', '3. Streaming: added time to first token, and 40 ms stalls');
  const [instant, paced] = await Promise.all([startFake(), startFake({ name: 'fake-paced' })]);
  await paced.setDefault(PACED);
  const manifests = writeManifests(
    [
      { name: 'instant', baseURL: instant.url },
      { name: 'paced', baseURL: paced.url },
    ],
    [
      { alias: 'bench', providers: ['instant'] },
      { alias: 'paced', providers: ['paced'] },
    ],
  );
  const [switchyard, started, bareInstant, barePaced] = await Promise.all([
    startSwitchyard({ manifests }),
    portkeyIfWanted(ctx),
    startBareProxy(instant.url),
    startBareProxy(paced.url),
  ]);
  const portkey = await streamsThrough(ctx, started, instant);
  await timeToFirstToken(
    ctx,
    endpoints({
      fake: instant,
      bare: bareInstant.origin,
      switchyard: switchyard.origin,
      alias: 'bench',
      portkey,
    }),
  );
  await stalls(
    ctx,
    endpoints({
      fake: paced,
      bare: barePaced.origin,
      switchyard: switchyard.origin,
      alias: 'paced',
      portkey,
    }),
  );
}

/**
 * Portkey when one streamed request goes through it; otherwise undefined, with the reason noted.
 * (@portkey-ai/gateway 1.15.2 answers every OpenAI stream with a 500 "Something went wrong" and
 * logs `TypeError: immutable` from its updateHeaders — Portkey-AI/gateway issues #1389, #1550.)
 */
async function streamsThrough(
  ctx: BenchContext,
  portkey: PortkeyService | undefined,
  fake: FakeService,
): Promise<PortkeyService | undefined> {
  if (portkey === undefined) return undefined;
  const probe = new Client(
    endpoint('portkey', portkey.origin, undefined, portkey.headersFor(fake.url)),
  );
  try {
    await probe.stream();
    return portkey;
  } catch (error) {
    ctx.report.note(
      `Portkey ${portkey.version} left out of the streaming comparison: a streamed request failed (${(error as Error).message.slice(0, 120)})`,
    );
    return undefined;
  } finally {
    await probe.close();
  }
}

/** Direct, the bare proxy (the floor), Switchyard and Portkey, all in front of `fake`. */
function endpoints(over: {
  fake: FakeService;
  bare: string;
  switchyard: string;
  alias: string;
  portkey: PortkeyService | undefined;
}): Endpoint[] {
  const { fake, portkey } = over;
  const list = [
    endpoint('direct', fake.origin),
    endpoint('bare proxy', over.bare),
    endpoint('switchyard', over.switchyard, over.alias),
  ];
  if (portkey !== undefined)
    list.push(endpoint('portkey', portkey.origin, undefined, portkey.headersFor(fake.url)));
  return list;
}

async function streamRounds(
  clients: readonly Client[],
  rounds: number,
  budgetMs: number,
): Promise<TimedStream[][]> {
  const out = clients.map(() => [] as TimedStream[]);
  const deadline = performance.now() + budgetMs;
  for (let round = 0; round < rounds && performance.now() < deadline; round++) {
    for (let i = 0; i < clients.length; i++)
      (out[i] as TimedStream[]).push(await (clients[i] as Client).stream());
  }
  return out;
}

async function timeToFirstToken(ctx: BenchContext, targets: readonly Endpoint[]): Promise<void> {
  const { report } = ctx;
  const clients = targets.map((t) => new Client(t));
  try {
    await streamRounds(clients, ctx.size(100, 300), 30_000);
    const runs = await streamRounds(clients, ctx.size(500, 3000), ctx.size(15_000, 90_000));
    const ttft = runs.map((r) => r.map((s) => s.ttftMs));
    const direct = ttft[0] as number[];
    report.line(
      '  time to first content token, zero-delay fake, concurrency 1, interleaved rounds',
    );
    const rows = [['endpoint', 'n', 'p50', 'p99', 'max', '+p50', '+p99', '+p99 (Δpct)']];
    targets.forEach((t, i) => {
      const s = summarize(ttft[i] as number[]);
      const a = addedLatency(ttft[i] as number[], direct);
      rows.push([
        t.name,
        String(s.n),
        formatMs(s.p50),
        formatMs(s.p99),
        formatMs(s.max),
        ...(i === 0
          ? ['', '', '']
          : [a.paired.p50, a.paired.p99, a.ofPercentiles.p99].map(formatMs)),
      ]);
      report.figure(`${t.name} TTFT p50`, s.p50, 'ms');
      report.figure(`${t.name} TTFT p99`, s.p99, 'ms');
      if (i > 0) report.figure(`${t.name} added TTFT p99 (paired)`, a.paired.p99, 'ms');
    });
    report.table(rows);
    const at = (name: string): number[] | undefined =>
      ttft[targets.findIndex((t) => t.name === name)];
    const sy = addedLatency(at('switchyard') ?? [], direct);
    const bare = addedLatency(at('bare proxy') ?? [], direct);
    report.line(
      `  Switchyard over the bare proxy (which relays bytes without reading them): TTFT p50 +${formatMs(sy.paired.p50 - bare.paired.p50)}, p99 +${formatMs(sy.paired.p99 - bare.paired.p99)}`,
    );
    const pkTtft = at('portkey');
    if (pkTtft !== undefined) {
      const pk = addedLatency(pkTtft, direct);
      report.line(
        `  Portkey's added TTFT p99 is ${formatRatio(pk.paired.p99 / sy.paired.p99)} Switchyard's`,
      );
    }
    report.check(
      'added TTFT p99 (paired)',
      sy.paired.p99,
      '<=',
      STREAMING_GOALS.addedTtftP99Ms,
      'ms',
    );
  } finally {
    await closeAll(clients);
  }
}

async function stalls(ctx: BenchContext, targets: readonly Endpoint[]): Promise<void> {
  const { report } = ctx;
  const clients = targets.map((t) => new Client(t));
  try {
    await streamRounds(clients, 5, 10_000);
    const runs = await streamRounds(clients, ctx.size(10, 80), ctx.size(10_000, 60_000));
    report.line(
      `\n  gaps between chunks, fake pacing ${PACED.chunkDelayMs} ms/chunk (~30 chunks per stream); stall = gap ≥ ${STREAMING_GOALS.stallMs} ms`,
    );
    const rows = [
      ['endpoint', 'streams', 'gaps', 'p50 gap', 'p99 gap', 'max gap', 'stalls', 'stream p50'],
    ];
    const stallCounts = runs.map((streams, i) => {
      const gaps = streams.flatMap((s) => s.gapsMs);
      const g = summarize(gaps);
      const count = gaps.filter((gap) => gap >= STREAMING_GOALS.stallMs).length;
      const name = (targets[i] as Endpoint).name;
      rows.push([
        name,
        String(streams.length),
        String(g.n),
        formatMs(g.p50),
        formatMs(g.p99),
        formatMs(g.max),
        String(count),
        formatMs(summarize(streams.map((s) => s.totalMs)).p50),
      ]);
      report.figure(`${name} stalls`, count);
      report.figure(`${name} max gap`, g.max, 'ms');
      return count;
    });
    report.table(rows);
    // Stalls the direct path also shows come from the machine, not the proxy.
    // A Nagle/delayed-ACK stall is systematic: it hits a large share of the gaps. A few long
    // gaps on a busy machine hit the direct path too, so only the excess over direct counts.
    const sy = targets.findIndex((t) => t.name === 'switchyard');
    const gapCount = runs[sy]?.reduce((sum, stream) => sum + stream.gapsMs.length, 0) ?? 0;
    const excess = (stallCounts[sy] ?? 0) - (stallCounts[0] ?? 0);
    report.line(
      `  stalls through Switchyard beyond those of the direct path: ${excess} of ${gapCount} gaps`,
    );
    report.check(
      'gaps stalled by Switchyard beyond direct (share of gaps)',
      (100 * Math.max(0, excess)) / Math.max(1, gapCount),
      '<=',
      STREAMING_GOALS.excessStallPercent,
      '%',
    );
  } finally {
    await closeAll(clients);
  }
}
