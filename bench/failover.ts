// 5a. Failover cost (issue 4): a primary that refuses connections (a closed loopback port), and a
// black-holed primary before and after its circuit breaker opens. Baselines in the same rounds:
// the fallback called directly, and a route whose only target is the fallback.
import type { BenchContext } from './lib/context.ts';
import { Client, closeAll, durations, endpoint, interleaved, warmUp } from './lib/http.ts';
import { NEVER_OPEN, writeManifests } from './lib/manifests.ts';
import { freePort } from './lib/processes.ts';
import { formatMs } from './lib/report.ts';
import { startFake, startSwitchyard } from './lib/services.ts';
import { addedLatency, summarize } from './lib/stats.ts';

/** Issue 4's failover goal, and this benchmark's expectations around the breaker. */
export const FAILOVER_GOALS = {
  /** Added p99 of a failover from a refused primary, over a direct answer from the fallback. */
  refusedAddedP99Ms: 5,
  /** Median cost of a timed-out attempt beyond its timeout, before the fallback answers. */
  afterTimeoutMs: 5,
  /** With the breaker open the dead primary is skipped: added p50 over the fallback-only route. */
  openBreakerAddedP50Ms: 0.1,
} as const;

const BLACKHOLE_TIMEOUT_MS = 200;
// Enough black-holed requests before the breaker opens for their median to be a figure, not noise.
const BREAKER_FAILURES = 15;

/** Runs measurement 5a. */
export async function measureFailover(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section(
    'failover',
    '5a. Failover: refused primary, black-holed primary before/after its breaker opens',
  );
  const [fallback, hole] = await Promise.all([startFake(), startFake({ name: 'fake-blackhole' })]);
  await hole.setDefault({ blackhole: true });
  const deadPort = await freePort(); // bound and released: connections to it are refused
  const manifests = writeManifests(
    [
      { name: 'fallback', baseURL: fallback.url },
      { name: 'refusing', baseURL: `http://127.0.0.1:${deadPort}/v1`, circuitBreaker: NEVER_OPEN },
      {
        name: 'blackhole',
        baseURL: hole.url,
        circuitBreaker: {
          consecutiveFailures: BREAKER_FAILURES,
          cooldownSeconds: 600,
          maxCooldownSeconds: 600,
        },
      },
    ],
    [
      { alias: 'healthy', providers: ['fallback'] },
      { alias: 'refused', providers: ['refusing', 'fallback'], failover: { retries: { max: 0 } } },
      {
        alias: 'blackholed',
        providers: ['blackhole', 'fallback'],
        failover: {
          attemptTimeoutMs: BLACKHOLE_TIMEOUT_MS,
          ttftTimeoutMs: BLACKHOLE_TIMEOUT_MS,
          retries: { max: 0 },
        },
      },
    ],
  );
  const switchyard = await startSwitchyard({ manifests });
  const direct = new Client(endpoint('direct (fallback)', fallback.origin));
  const healthy = new Client(endpoint('switchyard healthy', switchyard.origin, 'healthy'));
  const refused = new Client(endpoint('switchyard refused→fallback', switchyard.origin, 'refused'));
  const blackholed = new Client(
    endpoint('switchyard blackholed→fallback', switchyard.origin, 'blackholed'),
  );
  try {
    await refusedPrimary(ctx, direct, healthy, refused);
    await blackholedPrimary(ctx, healthy, blackholed);
  } finally {
    await closeAll([direct, healthy, refused, blackholed]);
  }
}

async function refusedPrimary(
  ctx: BenchContext,
  direct: Client,
  healthy: Client,
  refused: Client,
): Promise<void> {
  const { report } = ctx;
  const clients = [direct, healthy, refused];
  await warmUp(clients, 100);
  // The never-opening breaker still opens after 1,000 consecutive failures: stay below.
  const timed = await interleaved(clients, ctx.size(300, 800), ctx.size(10_000, 60_000));
  const [d, h, r] = timed.map(durations) as [number[], number[], number[]];
  const attempts = new Set((timed[2] ?? []).map((t) => String(t.headers['x-switchyard-attempts'])));
  report.line(
    `  primary refuses connections (closed port), retries 0, concurrency 1; attempts header on refused route: ${[...attempts].join(', ')}`,
  );
  const rows = [['endpoint', 'n', 'p50', 'p99', 'max']];
  for (const [client, samples] of [
    [direct, d],
    [healthy, h],
    [refused, r],
  ] as const) {
    const s = summarize(samples);
    rows.push([
      client.endpoint.name,
      String(s.n),
      formatMs(s.p50),
      formatMs(s.p99),
      formatMs(s.max),
    ]);
  }
  report.table(rows);
  const vsDirect = addedLatency(r, d);
  const vsHealthy = addedLatency(r, h);
  report.line(
    `  failover adds p50 ${formatMs(vsDirect.paired.p50)} / p99 ${formatMs(vsDirect.paired.p99)} over the fallback called directly, ` +
      `p50 ${formatMs(vsHealthy.paired.p50)} / p99 ${formatMs(vsHealthy.paired.p99)} over Switchyard answering from the fallback alone`,
  );
  report.figure('refused failover added p50 vs direct', vsDirect.paired.p50, 'ms');
  report.figure('refused failover added p99 vs direct', vsDirect.paired.p99, 'ms');
  report.figure('refused failover added p99 vs healthy route', vsHealthy.paired.p99, 'ms');
  if (!attempts.has('2') || attempts.size !== 1)
    report.note(
      `expected 2 attempts on every refused-route answer, saw ${[...attempts].join(', ')}`,
    );
  report.check(
    'refused primary: failover added p99 vs direct',
    vsDirect.paired.p99,
    '<=',
    FAILOVER_GOALS.refusedAddedP99Ms,
    'ms',
  );
}

async function blackholedPrimary(
  ctx: BenchContext,
  healthy: Client,
  blackholed: Client,
): Promise<void> {
  const { report } = ctx;
  report.line(
    `\n  primary black-holed (reads, never answers), attemptTimeoutMs ${BLACKHOLE_TIMEOUT_MS}, breaker opens after ${BREAKER_FAILURES} consecutive failures`,
  );
  const healthyBefore = summarize(durations((await interleaved([healthy], 50, 5000))[0] ?? []));
  const before: { ms: number; attempts: string }[] = [];
  for (let i = 0; i < BREAKER_FAILURES; i++) {
    const timed = await blackholed.post();
    before.push({ ms: timed.ms, attempts: String(timed.headers['x-switchyard-attempts']) });
  }
  const timed = await interleaved(
    [healthy, blackholed],
    ctx.size(300, 1500),
    ctx.size(10_000, 30_000),
  );
  const [h, b] = timed.map(durations) as [number[], number[]];
  const afterAttempts = new Set(
    (timed[1] ?? []).map((t) => String(t.headers['x-switchyard-attempts'])),
  );
  const rows = [['request', 'latency', 'beyond the timeout + healthy p50', 'attempts']];
  const beyondOf = (x: { ms: number }): number => x.ms - BLACKHOLE_TIMEOUT_MS - healthyBefore.p50;
  // The first also pays for a new pool and a cold code path; the rest are the steady case.
  const [first, ...rest] = before;
  if (first !== undefined) {
    rows.push([
      '#1 (breaker closed)',
      formatMs(first.ms),
      formatMs(beyondOf(first)),
      first.attempts,
    ]);
  }
  if (rest.length > 0) {
    const restMs = summarize(rest.map((x) => x.ms));
    const restBeyond = summarize(rest.map(beyondOf));
    rows.push([
      `#2–#${before.length} (breaker closed)`,
      `p50 ${formatMs(restMs.p50)}, max ${formatMs(restMs.max)}`,
      `p50 ${formatMs(restBeyond.p50)}, max ${formatMs(restBeyond.max)}`,
      [...new Set(rest.map((x) => x.attempts))].join(', '),
    ]);
  }
  const after = summarize(b);
  const added = addedLatency(b, h);
  rows.push([
    `#${BREAKER_FAILURES + 1}… (breaker open), n=${after.n}`,
    `p50 ${formatMs(after.p50)}, p99 ${formatMs(after.p99)}`,
    `vs healthy route: +p50 ${formatMs(added.paired.p50)}, +p99 ${formatMs(added.paired.p99)}`,
    [...afterAttempts].join(', '),
  ]);
  report.table(rows);
  const beyond = summarize(before.map(beyondOf));
  before.forEach((x, i) =>
    report.figure(`blackholed request ${i + 1} (breaker closed)`, x.ms, 'ms'),
  );
  report.figure('blackholed, breaker open: added p50 vs healthy route', added.paired.p50, 'ms');
  report.figure('blackholed, breaker open: added p99 vs healthy route', added.paired.p99, 'ms');
  report.expect(
    'black hole, breaker closed: median cost beyond the attempt timeout',
    beyond.p50,
    '<=',
    FAILOVER_GOALS.afterTimeoutMs,
    'ms',
  );
  report.expect(
    'black hole, breaker open: added p50 vs fallback-only route',
    added.paired.p50,
    '<=',
    FAILOVER_GOALS.openBreakerAddedP50Ms,
    'ms',
  );
}
