// `node bench/operator/run.ts [--quick] [--churn-edits N]`: the operator benchmarks of issue 5 against a real
// control plane (etcd + kube-apiserver from the test harness), with the operator and two
// cluster-mode proxies as child processes. Not a test: it prints figures, ratios to baselines
// measured in the same run, and PASS/MISS per goal; it exits 0 unless something broke.
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import process from 'node:process';
import { startBenchEnv } from './bench-env.ts';
import { killAllChildren } from './children.ts';
import { measureChurn } from './churn.ts';
import { measureClusterProxyMemory } from './cluster-proxy-memory.ts';
import { Cleanup } from './cleanup.ts';
import { measurePropagation } from './propagation.ts';
import { reportPropagation } from './propagation-report.ts';
import { Report } from './report.ts';
import { operatorCounters } from './operator-reports.ts';
import { parsePlan, USAGE, type Plan } from './options.ts';
import { measureScale } from './scale.ts';

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
      `1. kubectl apply → every proxy serving, ${plan.changes} changes (${env.initialObjects} CRs: the examples + the edited policy)`,
    );
    reportPropagation(
      report,
      await measurePropagation(env, plan.changes, 'small'),
      `${env.initialObjects} CRs`,
      'goal',
    );

    // Before the 1,000-CR scale set: a proxy idling on the small config.
    await measureClusterProxyMemory(env, report);

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

    report.section(`The operator's own counters (${env.operator.name}, non-zero)`);
    const counters = await operatorCounters(env.operator);
    report.line(counters.map((line) => `  ${line}`).join('\n') || '  none');

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
  let plan: Plan;
  try {
    const parsed = parsePlan(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    plan = parsed;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const report = new Report();
  const started = performance.now();
  report.line(
    `Switchyard operator benchmark ${plan.quick ? '(--quick) ' : ''}— ${new Date().toISOString()}`,
  );
  report.line(
    `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  let failed = false;
  try {
    await run(plan, report);
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
