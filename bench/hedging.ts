// 5b. Hedging (issue 4): a primary with random latency spikes, a steady fallback, and the same
// route with and without `hedgeAfterMs`. Both routes see exactly the same spikes: the primary's
// script holds each step twice and the rounds alternate plain → hedged.
import type { BenchContext } from './lib/context.ts';
import { Client, closeAll, durations, endpoint, interleaved, warmUp } from './lib/http.ts';
import { writeManifests } from './lib/manifests.ts';
import { formatMs, formatRatio } from './lib/report.ts';
import { startFake, startSwitchyard } from './lib/services.ts';
import { seededRandom, summarize } from './lib/stats.ts';

/** The slow primary: base latency, and how often and how long it spikes. */
export const SLOW_PRIMARY = { baseMs: 2, spikeMs: 150, spikeRate: 0.05 } as const;
/** When the hedged route starts its second target. */
export const HEDGE_AFTER_MS = 20;
const FALLBACK_MS = 2;

/** Runs measurement 5b. */
export async function measureHedging(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('hedging', '5b. Hedging: p99 against a primary with latency spikes');
  const [primary, fallback] = await Promise.all([
    startFake({ name: 'fake-spiky' }),
    startFake({ name: 'fake-fallback', record: true }),
  ]);
  await Promise.all([
    primary.setDefault({ latencyMs: SLOW_PRIMARY.baseMs }),
    fallback.setDefault({ latencyMs: FALLBACK_MS }),
  ]);
  const failover = { attemptTimeoutMs: 2000, ttftTimeoutMs: 2000, retries: { max: 0 } };
  const manifests = writeManifests(
    [
      { name: 'spiky', baseURL: primary.url },
      { name: 'steady', baseURL: fallback.url },
    ],
    [
      { alias: 'plain', providers: ['spiky', 'steady'], failover },
      {
        alias: 'hedged',
        providers: ['spiky', 'steady'],
        failover: { ...failover, hedgeAfterMs: HEDGE_AFTER_MS },
      },
    ],
  );
  const switchyard = await startSwitchyard({ manifests });
  const plain = new Client(endpoint('without hedging', switchyard.origin, 'plain'));
  const hedged = new Client(
    endpoint(`hedgeAfterMs ${HEDGE_AFTER_MS}`, switchyard.origin, 'hedged'),
  );
  try {
    await warmUp([plain, hedged], 100);
    await fallback.reset();
    await fallback.setDefault({ latencyMs: FALLBACK_MS });
    const rounds = ctx.size(300, 1500);
    const random = seededRandom(42);
    const steps = Array.from({ length: rounds }, () => ({
      latencyMs: random() < SLOW_PRIMARY.spikeRate ? SLOW_PRIMARY.spikeMs : SLOW_PRIMARY.baseMs,
      times: 2, // one for the plain request, one for the hedged request of the same round
    }));
    await primary.script(steps);
    const timed = await interleaved([plain, hedged], rounds, ctx.size(30_000, 120_000));
    await primary.reset();
    const [p, h] = timed.map(durations) as [number[], number[]];
    const spikes = steps
      .slice(0, p.length)
      .filter((s) => s.latencyMs === SLOW_PRIMARY.spikeMs).length;
    const hedges = await fallback.requestCount();
    report.line(
      `  primary ${SLOW_PRIMARY.baseMs} ms, ${SLOW_PRIMARY.spikeRate * 100} % of requests spike to ${SLOW_PRIMARY.spikeMs} ms (${spikes} spikes in ${p.length} rounds, seeded); fallback ${FALLBACK_MS} ms`,
    );
    const rows = [['route', 'n', 'p50', 'p90', 'p99', 'max', 'fallback calls']];
    for (const [client, samples, calls] of [
      [plain, p, '—'],
      [hedged, h, String(hedges)],
    ] as const) {
      const s = summarize(samples);
      rows.push([
        client.endpoint.name,
        String(s.n),
        formatMs(s.p50),
        formatMs(s.p90),
        formatMs(s.p99),
        formatMs(s.max),
        calls,
      ]);
      report.figure(`${client.endpoint.name} p50`, s.p50, 'ms');
      report.figure(`${client.endpoint.name} p99`, s.p99, 'ms');
    }
    report.table(rows);
    const plainP99 = summarize(p).p99;
    const hedgedP99 = summarize(h).p99;
    report.line(
      `  hedging cuts p99 ${formatRatio(plainP99 / hedgedP99)}; hedges fired on ${hedges} of ${h.length} requests`,
    );
    report.figure('hedges fired', hedges);
    // A hedged request should end about when the hedge answers: hedgeAfterMs + the fallback's time,
    // plus the proxy's own time and this machine's scheduling (10 ms of slack).
    report.expect('hedged p99', hedgedP99, '<=', HEDGE_AFTER_MS + FALLBACK_MS + 10, 'ms');
  } finally {
    await closeAll([plain, hedged]);
  }
}
