// Closed-loop load: `wrk` with a Lua script for POST when it is installed, else the Node load
// generator (bench/load-generator.ts) in its own process. Both report the same figures.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './processes.ts';
import { ROOT } from './services.ts';

/** One load run: `connections` connections sending `body` to `url` for `durationS` seconds. */
export interface LoadSpec {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** CPU list for taskset (the load generator's core). */
  cpus?: string;
}

/** What a load run measured. Latencies in ms. */
export interface LoadResult {
  tool: LoadTool;
  connections: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Answers with a status other than 2xx/3xx. */
  non2xx: number;
}

/** Which load generator ran. */
export type LoadTool = 'wrk' | 'node';

/**
 * `wrk` when it is on PATH (and not `forceNode`); when it is missing and we are root, tries
 * `apt-get install -y wrk` once; otherwise the Node load generator.
 */
export function pickLoadTool(forceNode: boolean): LoadTool {
  if (forceNode) return 'node';
  if (haveWrk()) return 'wrk';
  if (process.getuid?.() !== 0) return 'node';
  try {
    process.stdout.write('wrk is missing: apt-get install -y wrk …\n');
    execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'ignore', timeout: 180_000 });
  } catch {
    return 'node';
  }
  return haveWrk() ? 'wrk' : 'node';
}

function haveWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version prints its usage and exits 1: it is there. ENOENT means it is not.
    return (error as { code?: string }).code !== 'ENOENT';
  }
}

/** Runs one load run with `tool`. */
export async function runLoad(tool: LoadTool, spec: LoadSpec): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(spec) : runNodeLoad(spec);
}

function pinned(spec: LoadSpec, command: string, args: string[]): [string, string[]] {
  return spec.cpus === undefined
    ? [command, args]
    : ['taskset', ['-c', spec.cpus, command, ...args]];
}

const RESULT_PREFIX = 'BENCH_LOAD ';

async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const script = join(makeTempDir('wrk'), 'post.lua');
  writeFileSync(script, wrkScript(spec));
  const [command, args] = pinned(spec, 'wrk', [
    '-t1',
    `-c${spec.connections}`,
    `-d${spec.durationS}s`,
    '--timeout',
    '5s',
    '-s',
    script,
    spec.url,
  ]);
  const { stdout } = await promisify(execFile)(command, args, {
    timeout: (spec.durationS + 30) * 1000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`wrk printed no result:\n${stdout}`);
  const raw = JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, number>;
  const us = (key: string): number => (raw[key] ?? Number.NaN) / 1000;
  return {
    tool: 'wrk',
    connections: spec.connections,
    requests: raw['requests'] ?? 0,
    rps: (raw['requests'] ?? 0) / ((raw['duration_us'] ?? 1) / 1e6),
    p50Ms: us('p50_us'),
    p90Ms: us('p90_us'),
    p99Ms: us('p99_us'),
    maxMs: us('max_us'),
    errors: raw['errors'] ?? 0,
    non2xx: raw['status'] ?? 0,
  };
}

/** A Lua long string, safe for any text without `]==]`. */
function lua(text: string): string {
  return `[==[${text}]==]`;
}

function wrkScript(spec: LoadSpec): string {
  const headers = Object.entries(spec.headers)
    .map(([name, value]) => `wrk.headers[ ${lua(name)} ] = ${lua(value)}`)
    .join('\n');
  return `wrk.method = "POST"
wrk.body = ${lua(spec.body)}
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${RESULT_PREFIX}{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"errors":%d,"status":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
`;
}

async function runNodeLoad(spec: LoadSpec): Promise<LoadResult> {
  const [command, args] = pinned(spec, process.execPath, [
    join(ROOT, 'bench/load-generator.ts'),
    JSON.stringify(spec),
  ]);
  const { stdout } = await promisify(execFile)(command, args, {
    timeout: (spec.durationS + 30) * 1000,
    maxBuffer: 1024 * 1024,
  });
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`the load generator printed no result:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as LoadResult;
}

/** The line prefix both generators print their JSON result after. */
export const LOAD_RESULT_PREFIX = RESULT_PREFIX;
