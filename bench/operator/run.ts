// `node bench/operator/run.ts [--quick]`: the operator benchmarks of issue 5 against a real
// control plane (etcd + kube-apiserver from the test harness), with the operator and two
// cluster-mode proxies as child processes. Not a test: it prints figures, ratios to baselines
// measured in the same run, and PASS/MISS per goal; it exits 0 unless something broke.
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import process from 'node:process';
import { startBenchEnv } from './bench-env.ts';
import { killAllChildren } from './children.ts';
import { measureChurn, type ChurnPlan } from './churn.ts';
import { Cleanup } from './cleanup.ts';
import { measurePropagation } from './propagation.ts';
import { reportPropagation } from './propagation-report.ts';
import { Report } from './report.ts';
import { measureScale } from './scale.ts';

const USAGE = `usage: node bench/operator/run.ts [--quick]

  --quick   fewer changes and edits (about a minute); the default run takes about five`;

/** How much of everything one run does. */
interface Plan {
  changes: number;
  scaleEdits: number;
  changesAtScale: number;
  churn: ChurnPlan;
}

const FULL: Plan = {
  changes: 50,
  scaleEdits: 5,
  changesAtScale: 20,
  churn: { edits: 400, intervalMs: 150, checkpoints: 8 },
};

const QUICK: Plan = {
  changes: 20,
  scaleEdits: 3,
  changesAtScale: 10,
  churn: { edits: 150, intervalMs: 150, checkpoints: 5 },
};

// Ctrl-C and kills: children die at once; process.exit runs the harness's exit hook, which kills
// etcd and kube-apiserver and removes their folder.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench/operator: ${signal}, stopping everything\n`);
    killAllChildren();
    process.exit(130);
  });
}

async function run(plan: Plan, report: Report): Promise<void> {
  const cleanup = new Cleanup();
  try {
    const setupStarted = performance.now();
    const env = await startBenchEnv(cleanup);
    report.line(
      `set-up (control plane, CRDs, RBAC, operator, 2 proxies ready): ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
    );

    report.section(
      `1. kubectl apply → every proxy serving, ${plan.changes} changes (a few objects)`,
    );
    reportPropagation(
      report,
      await measurePropagation(env, plan.changes, 'small'),
      'few CRs',
      'goal',
    );

    const scale = await measureScale(env, report, plan.scaleEdits);

    report.section(
      `1b. kubectl apply → every proxy serving, ${plan.changesAtScale} changes (${scale.objects} CRs)`,
    );
    reportPropagation(
      report,
      await measurePropagation(env, plan.changesAtScale, 'scale'),
      `${scale.objects} CRs`,
      'extra',
    );

    await measureChurn(env, report, plan.churn);

    const warnings = [env.operator, ...env.proxies.map((proxy) => proxy.child)].flatMap((child) =>
      child.stderrLines.map((line) => `${child.name}: ${line}`),
    );
    report.section('Warnings and errors logged by the children');
    report.line(
      warnings.length === 0
        ? '  none'
        : warnings
            .slice(0, 30)
            .map((line) => `  ${line}`)
            .join('\n'),
    );
    if (warnings.length > 30) report.line(`  … and ${warnings.length - 30} more`);
  } finally {
    await cleanup.run();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  const quick = args.includes('--quick');
  const report = new Report();
  const started = performance.now();
  report.line(
    `Switchyard operator benchmark ${quick ? '(--quick) ' : ''}— ${new Date().toISOString()}`,
  );
  report.line(
    `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  let failed = false;
  try {
    await run(quick ? QUICK : FULL, report);
  } catch (error) {
    failed = true;
    process.stderr.write(`bench/operator failed: ${(error as Error).stack ?? String(error)}\n`);
  }
  if (report.goals.length > 0) report.printGoals();
  report.line(
    `\nload average at the end ${loadavg()[0]!.toFixed(1)}; total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  return failed ? 1 : 0;
}

const code = await main();
killAllChildren();
process.exit(code);
