import { compile } from '../core/compile/compile.ts';
import type { PolicyLiveStatus } from '../core/api/live-status.ts';
import { experimentReport } from '../core/experiment/experiment-report.ts';
import { experimentKey, policyIdOf } from '../core/live/fleet-keys.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';
import { loadManifests } from './load-manifests.ts';

/** The `switchyard experiment --help` text. */
export const usage = `Usage: switchyard experiment report --manifests DIR --redis URL [--model ALIAS] [--json]

Prints the report of a running experiment from the counters the proxies share in Redis: per arm
the requests, errors, successes (HTTP 200, schema passed and, when judged, a score at or above the
policy's floor), cost per request, cost per successful request, judged quality and p95 latency,
and each difference (variant − control) with its 95 % confidence interval. The same report is in
the RoutePolicy's status.live.experiment when an operator runs with Redis.

Options:
  --manifests DIR   folder (or file) of manifests, as for serve: where the experiment is defined
  --redis URL       the Redis the proxies share (default: SWITCHYARD_REDIS_URL)
  --model ALIAS     the policy alias running the experiment (default: the only one that runs one)
  --json            print the report as JSON`;

type Report = NonNullable<PolicyLiveStatus['experiment']>;

/** Runs `switchyard experiment report`. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    manifests: { type: 'string' },
    redis: { type: 'string' },
    model: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (positionals[0] !== 'report') throw new UsageError('the only subcommand is "report"');
  const redisUrl = values.redis ?? process.env['SWITCHYARD_REDIS_URL'];
  if (values.manifests === undefined || redisUrl === undefined || redisUrl === '')
    throw new UsageError('--manifests DIR and --redis URL are required');
  const config = compile((await loadManifests([values.manifests])).snapshot).config;
  const running = config.routes.filter((r) => r.experiment !== undefined);
  const route =
    values.model === undefined
      ? running.length === 1
        ? running[0]
        : undefined
      : running.find((r) => r.alias === values.model);
  if (route?.experiment === undefined) {
    const names = running.map((r) => r.alias).join(', ') || '(none)';
    io.stderr(`name the policy with --model; policies running an experiment: ${names}`);
    return EXIT.problems;
  }
  const { RedisState } = await import('../proxy/state/redis-state.ts');
  const state = await RedisState.connect(redisUrl);
  try {
    const hash = await state.hashGetAll(experimentKey(policyIdOf(route), route.experiment.name));
    const counters = new Map([...hash].map(([field, value]) => [field, Number(value)]));
    const report = experimentReport(route, route.experiment, counters);
    if (values.json === true) io.stdout(JSON.stringify(report, null, 2));
    else printReport(route.alias, report, io);
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

function printReport(alias: string, report: Report, io: CommandIo): void {
  io.stdout(
    `experiment ${report.name} on ${alias}: ${report.percent} % to the variant (got ${report.variantSharePercent ?? 0} %)`,
  );
  const rows = [
    [
      'arm',
      'policy',
      'requests',
      'errors',
      'successes',
      '$/request',
      '$/success',
      'quality',
      'p95 ms',
    ],
    ...report.arms.map((a) => [
      a.arm,
      a.policy,
      String(a.requests),
      String(a.errors),
      String(a.successes),
      a.costPerRequestUSD?.toFixed(8) ?? '-',
      a.costPerSuccessUSD?.toFixed(8) ?? '-',
      a.quality === undefined ? '-' : `${a.quality.score} (${a.quality.samples})`,
      a.p95LatencyMs === undefined ? '-' : String(a.p95LatencyMs),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    io.stdout(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  const difference = report.difference ?? {};
  if (Object.keys(difference).length === 0) {
    io.stdout('too little traffic for confidence intervals yet');
    return;
  }
  io.stdout('variant − control, 95 % confidence interval:');
  for (const [name, d] of Object.entries(difference)) {
    if (d === undefined) continue;
    io.stdout(`  ${name}: ${d.estimate} [${d.low}, ${d.high}]`);
  }
}
