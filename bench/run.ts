// `npm run bench [-- --quick] [-- --only latency,throughput]`: every measurement of
// docs/performance.md, each against baselines measured in the same run. Not a test: it reports
// figures and PASS/MISS against the issues' goals, and exits 0 unless something broke.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import process from 'node:process';
import {
  MEASUREMENTS,
  parseOptions,
  USAGE,
  type BenchContext,
  type MeasurementName,
} from './lib/context.ts';
import { ensurePortkey } from './lib/portkey.ts';
import { killAllNow, stopAll } from './lib/processes.ts';
import { cpuSnapshot, cpuUse, loadAverage, waitForQuiet, type CpuSnapshot } from './lib/machine.ts';
import { Report } from './lib/report.ts';
import { measureFailover } from './failover.ts';
import { measureHedging } from './hedging.ts';
import { measureLatency } from './latency.ts';
import { measureMemory } from './memory.ts';
import { measureStreaming } from './streaming.ts';
import { measureThroughput } from './throughput.ts';
import { measureScorer } from './scorer.ts';

const RUNNERS: Record<MeasurementName, (ctx: BenchContext) => Promise<void>> = {
  latency: measureLatency,
  throughput: measureThroughput,
  streaming: measureStreaming,
  memory: measureMemory,
  failover: measureFailover,
  hedging: measureHedging,
  scorer: measureScorer,
};

// Ctrl-C and kills end the run through process.exit, whose hook kills every child.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
    killAllNow();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const report = new Report();
  const started = performance.now();
  report.line(
    `Switchyard benchmark ${options.quick ? '(--quick) ' : ''}— ${new Date().toISOString()}`,
  );
  report.line(
    `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ${process.platform} ${process.arch}`,
  );
  report.line(`measurements: ${options.only.join(', ')}`);
  const portkey = options.portkey ? await ensurePortkey(options.portkeyUpdate) : undefined;
  if (portkey?.ok === true) report.line(`portkey: @portkey-ai/gateway ${portkey.version}`);
  const ctx: BenchContext = {
    options,
    report,
    portkey,
    size: (quick, full) => (options.quick ? quick : full),
  };
  const failed = await runMeasurements(ctx);
  report.printSummary();
  report.line(`\ntotal time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (options.json !== undefined) {
    writeFileSync(
      options.json,
      `${JSON.stringify({ date: new Date().toISOString(), options, goals: report.goals, figures: report.figures, notes: report.notes }, null, 2)}\n`,
    );
  }
  return failed ? 1 : 0;
}

/** Runs the selected measurements in order; resolves to true when one of them broke. */
async function runMeasurements(ctx: BenchContext): Promise<boolean> {
  const { options, report } = ctx;
  let failed = false;
  for (const name of MEASUREMENTS) {
    if (!options.only.includes(name)) continue;
    if (options.waitQuietS > 0) {
      const other = await waitForQuiet(options.waitQuietS, DISTURBED_CORES);
      report.line(`\n(waited for a quiet machine: others now use ${other.toFixed(2)} cores)`);
    }
    const before = cpuSnapshot();
    try {
      await RUNNERS[name](ctx);
      reportMachineLoad(ctx, before);
    } catch (error) {
      failed = true;
      report.note(`${name} failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      await stopAll();
    }
  }
  return failed;
}

/**
 * Figures taken while other processes compete for the cores are not comparable with quiet
 * ones: say how much CPU others used, and flag the measurement when it was more than a little.
 */
function reportMachineLoad(ctx: BenchContext, before: CpuSnapshot): void {
  const use = cpuUse(before, cpuSnapshot());
  const text = `other processes used ${use.otherCores.toFixed(2)} of ${use.perCpu.length} cores on average (load average ${loadAverage().toFixed(1)})`;
  ctx.report.figure('other processes (cores)', use.otherCores, 'cores');
  if (use.otherCores > DISTURBED_CORES)
    ctx.report.note(`DISTURBED: ${text}; rerun on a quiet machine`);
  else ctx.report.line(`  machine: ${text}`);
}

/** Other processes' CPU use above which a measurement is flagged as disturbed. */
const DISTURBED_CORES = 0.15;

const code = await main();
killAllNow();
process.exit(code);
