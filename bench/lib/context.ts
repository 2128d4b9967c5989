import { parseArgs } from 'node:util';
import type { PortkeyInstall } from './portkey.ts';
import type { Report } from './report.ts';

/** The measurements `npm run bench` knows, in the order they run. */
export const MEASUREMENTS = [
  'latency',
  'throughput',
  'streaming',
  'memory',
  'failover',
  'hedging',
  'scorer',
] as const;

/** One measurement's name. */
export type MeasurementName = (typeof MEASUREMENTS)[number];

/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  /** About a minute in all: fewer rounds, shorter load runs. */
  quick: boolean;
  /** Measurements to run; all by default. */
  only: MeasurementName[];
  /** Compare with Portkey (installed on demand); `--no-portkey` turns it off. */
  portkey: boolean;
  /** Reinstall the latest Portkey before running. */
  portkeyUpdate: boolean;
  /** Write every figure and goal as JSON to this file. */
  json: string | undefined;
  /** Force the Node load generator even when wrk is installed. */
  nodeLoad: boolean;
  /** Throughput: also profile the bare proxy and Switchyard under load (`node --cpu-prof`). */
  profile: boolean;
  /** Before each measurement, wait up to this many seconds for other processes to go quiet. */
  waitQuietS: number;
}

/** What each measurement gets: the options, the report, and Portkey if it is to be compared. */
export interface BenchContext {
  options: BenchOptions;
  report: Report;
  /** The Portkey install, or undefined with `--no-portkey`. */
  portkey: PortkeyInstall | undefined;
  /** `quick` in quick mode, `full` otherwise. */
  size<T>(quick: T, full: T): T;
}

/** The `npm run bench -- --help` text. */
export const USAGE = `Usage: npm run bench -- [--quick] [--only ${MEASUREMENTS.join(',')}]
                       [--no-portkey] [--portkey-update] [--node-load] [--json FILE]
                       [--wait-quiet SECONDS] [--profile]

  --quick           about 1½ minutes in all (fewer rounds, shorter load runs); full run ~10 minutes
  --only LIST       run only these measurements (comma-separated)
  --no-portkey      do not install, start or compare with Portkey's gateway
  --portkey-update  reinstall @portkey-ai/gateway@latest into .cache/bench/portkey first
  --node-load       use the Node load generator for throughput even when wrk is installed
  --profile         throughput: also CPU-profile the bare proxy and Switchyard under load and
                    print where their time goes
  --json FILE       also write every figure and goal as JSON
  --wait-quiet S    before each measurement, wait up to S seconds until other processes use
                    less than 0.15 cores (the figures are flagged DISTURBED otherwise)`;

/** Parses the command line; throws an Error with a readable message on a bad flag. */
export function parseOptions(args: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-portkey': { type: 'boolean', default: false },
      'portkey-update': { type: 'boolean', default: false },
      'node-load': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      json: { type: 'string' },
      'wait-quiet': { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = (values.only ?? MEASUREMENTS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of only) {
    if (!(MEASUREMENTS as readonly string[]).includes(name))
      throw new Error(`--only: unknown measurement "${name}"; one of ${MEASUREMENTS.join(', ')}`);
  }
  const waitQuietS = Number(values['wait-quiet']);
  if (!Number.isFinite(waitQuietS) || waitQuietS < 0)
    throw new Error('--wait-quiet must be a number of seconds');
  return {
    quick: values.quick,
    waitQuietS,
    only: only as MeasurementName[],
    portkey: !values['no-portkey'],
    portkeyUpdate: values['portkey-update'],
    json: values.json,
    nodeLoad: values['node-load'],
    profile: values.profile,
  };
}
