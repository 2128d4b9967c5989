// `node bench/compare.ts --base REV`: does this working tree's proxy cost more or less CPU per
// request than revision REV's? On a shared machine one benchmark run against another cannot tell
// a 10 % change from the neighbours' noise (single runs here swing ±30 %). So both builds run at
// once, each on core 1 in turn, and short closed-loop runs alternate between them (ABBA order),
// for many rounds: both see the same noise, and the per-round ratio of their CPU time per request
// is what is reported. It found the response-context getter that cost ~10 % (undone in 9e3a7bb).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUILD_DIR, imageEnv, productionEntry } from './lib/build.ts';
import { chatBody, Client, endpoint } from './lib/http.ts';
import { pickLoadTool, runLoad } from './lib/load.ts';
import { BENCH_MODEL, writeManifests } from './lib/manifests.ts';
import {
  BenchProcess,
  cpuSeconds,
  freePort,
  killAllNow,
  makeTempDir,
  stopAll,
} from './lib/processes.ts';
import { formatMs, formatRatio } from './lib/report.ts';
import { summarize, pairedDifferences } from './lib/stats.ts';
import { ROOT, startFake } from './lib/services.ts';

const USAGE = `usage: node bench/compare.ts --base REV [--rounds 20] [--seconds 1] [--connections 16] [--stream] [--trace] [--sample-percent N]
       node bench/compare.ts --base REV --latency [--requests 5000] [--trace] [--sample-percent N]

Runs the production build of REV (a git revision) and of the working tree side by side against
one fake provider, alternating short load runs on core 1, and prints CPU time per request of
each, round by round, with the median of the per-round ratios (working tree ÷ base). The base is
built with the working tree's node_modules: a revision with other dependencies will not start.
With --stream the requests are streamed chat completions (SSE, ~30 chunks each).
With --latency it times single requests (with --stream: their time to first token) at
concurrency 1 instead, alternating between the two builds request by request, and prints each
one's percentiles and those of the per-pair difference (working tree − base): what a change does
to the latency a client sees, e.g. from moving work after the answer is written, which CPU per
request cannot show.
With --trace the working tree traces every request (--otlp-endpoint, sample ratio 1) to an
OTLP/HTTP sink in this process, which answers 200 and counts what it got: with --base HEAD,
the cost of tracing at 100 % sampling.
With --sample-percent N the working tree's policy judges N % of its answers (spec.quality, the
same fake as judge) and the base's does not: with --base HEAD, what sampling costs.`;

interface Side {
  name: string;
  process: BenchProcess;
  origin: string;
  usPerRequest: number[];
}

/** Extracts REV into BUILD_DIR/compare/REV and builds it; returns that folder and its CLI. */
function baseBuild(rev: string): { root: string; entry: string } {
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' });
  const dir = join(BUILD_DIR, 'compare', sha.trim());
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive --format=tar ${sha.trim()} | tar -x -C "${dir}"`], {
      cwd: ROOT,
    });
  }
  // Revisions before the production build existed run their TypeScript sources.
  if (!existsSync(join(dir, 'tsconfig.build.json'))) {
    return { root: dir, entry: join(dir, 'bin/switchyard.js') };
  }
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { cwd: dir });
  return { root: dir, entry: join(dir, 'dist/cli/main.js') };
}

/** Starts one side, with the environment its own Dockerfile gives the image (`root` holds it). */
async function startSide(
  name: string,
  entry: string,
  manifestsDir: string,
  root: string,
  extraArgs: readonly string[] = [],
): Promise<Side> {
  const port = await freePort();
  const child = new BenchProcess({
    name,
    command: process.execPath,
    args: [
      entry,
      'serve',
      '--manifests',
      manifestsDir,
      '--port',
      String(port),
      '--metrics-port',
      String(await freePort()),
      '--host',
      '127.0.0.1',
      ...extraArgs,
    ],
    cpus: '1',
    env: { ...process.env, ...imageEnv(root) },
    stdoutFile: join(makeTempDir('compare-log'), `${name}.log`),
  });
  const origin = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${origin}/readyz`);
  return { name, process: child, origin, usPerRequest: [] };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      rounds: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '1' },
      connections: { type: 'string', default: '16' },
      stream: { type: 'boolean', default: false },
      latency: { type: 'boolean', default: false },
      requests: { type: 'string', default: '5000' },
      'sample-percent': { type: 'string' },
      trace: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || values.base === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const base = baseBuild(values.base);
  const head = productionEntry();
  const fake = await startFake({ cpus: '0' });
  const manifests = writeManifests(
    [{ name: 'p1', baseURL: fake.url }],
    [{ alias: 'fast', providers: ['p1'] }],
  );
  const samplePercent = values['sample-percent'];
  const headManifests =
    samplePercent === undefined
      ? manifests
      : writeManifests(
          [{ name: 'p1', baseURL: fake.url }],
          [
            {
              alias: 'fast',
              providers: ['p1'],
              quality: {
                judge: { provider: 'p1', model: BENCH_MODEL },
                samplePercent: Number(samplePercent),
                queueSize: 1000,
                maxConcurrency: 8,
              },
            },
          ],
        );
  const sink = values.trace ? await startOtlpSink() : undefined;
  const traceArgs = sink === undefined ? [] : ['--otlp-endpoint', sink.url];
  const sides = [
    await startSide(`base ${values.base}`, base.entry, manifests.dir, base.root),
    await startSide(
      values.trace ? 'working tree, tracing' : 'working tree',
      head,
      headManifests.dir,
      ROOT,
      traceArgs,
    ),
  ];
  try {
    await measure(sides as [Side, Side], values, sink);
  } finally {
    sink?.server.close();
  }
  return 0;
}

/** Runs the comparison itself, with the two sides started. */
async function measure(
  sides: [Side, Side],
  values: {
    stream: boolean;
    latency: boolean;
    requests: string;
    rounds: string;
    seconds: string;
    connections: string;
  },
  sink: OtlpSink | undefined,
): Promise<void> {
  const rounds = Number(values.rounds);
  const durationS = Number(values.seconds);
  const connections = Number(values.connections);
  const tool = pickLoadTool(false);
  if (values.latency) {
    await compareLatency(sides, Number(values.requests), values.stream);
    reportSink(sink);
    return;
  }
  const load = (side: Side, seconds: number) =>
    runLoad(tool, {
      url: `${side.origin}/v1/chat/completions`,
      body: chatBody('fast', values.stream),
      headers: { 'content-type': 'application/json' },
      connections,
      durationS: seconds,
      cpus: '0',
    });
  // Warm-up: until V8 has optimised the hot paths, a run costs ~1.5× the CPU.
  for (const side of sides) await load(side, 8);
  process.stdout.write(`CPU µs per request, ${rounds} rounds of ${durationS} s each:\n`);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const before = cpuSeconds(side.process.pid);
      const result = await load(side, durationS);
      const used = cpuSeconds(side.process.pid) - before;
      side.usPerRequest.push(Math.round((used * 1e6) / Math.max(1, result.requests)));
    }
    const [a, b] = sides.map((s) => s.usPerRequest.at(-1) ?? 0);
    process.stdout.write(`  round ${round + 1}: base ${a} µs, working tree ${b} µs\n`);
  }
  const [baseSide, headSide] = sides;
  const ratios = headSide.usPerRequest.map((us, i) => us / (baseSide.usPerRequest[i] ?? us));
  const cheaper = ratios.filter((r) => r < 1).length;
  process.stdout.write(
    `base: median ${median(baseSide.usPerRequest)} µs, min ${Math.min(...baseSide.usPerRequest)} µs\n` +
      `working tree: median ${median(headSide.usPerRequest)} µs, min ${Math.min(...headSide.usPerRequest)} µs\n` +
      `working tree ÷ base, median of the per-round ratios: ${formatRatio(median(ratios))} ` +
      `(cheaper in ${cheaper} of ${ratios.length} rounds)\n`,
  );
  reportSink(sink);
}

/** An OTLP/HTTP receiver that accepts everything and counts it (for --trace). */
interface OtlpSink {
  server: Server;
  url: string;
  requests: number;
  bytes: number;
}

async function startOtlpSink(): Promise<OtlpSink> {
  const sink: OtlpSink = { server: createServer(), url: '', requests: 0, bytes: 0 };
  sink.server.on('request', (req, res) => {
    req.on('data', (chunk: Buffer) => {
      sink.bytes += chunk.length;
    });
    req.on('end', () => {
      sink.requests += 1;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
  return sink;
}

function reportSink(sink: OtlpSink | undefined): void {
  if (sink === undefined) return;
  process.stdout.write(
    `OTLP sink: ${sink.requests} exports, ${(sink.bytes / 1e6).toFixed(1)} MB of spans received\n`,
  );
}

/** `--latency`: paired single requests at concurrency 1, base and working tree alternating. */
async function compareLatency(
  sides: [Side, Side],
  requests: number,
  stream: boolean,
): Promise<void> {
  const clients = sides.map((side) => new Client(endpoint(side.name, side.origin, 'fast')));
  const timed = [[], []] as [number[], number[]];
  // The first 2,000 pairs warm up the JIT, pools and caches and are not kept.
  for (let i = -2000; i < requests; i++) {
    for (const [n, client] of clients.entries()) {
      const ms = stream ? (await client.stream()).ttftMs : (await client.post()).ms;
      if (i >= 0) timed[n as 0 | 1].push(ms);
    }
  }
  const [base, head] = timed;
  const rows: [string, readonly number[]][] = [
    ['base', base],
    ['working tree', head],
    ['working tree − base (per pair)', pairedDifferences(head, base)],
  ];
  const what = stream ? 'time to first token' : 'latency';
  process.stdout.write(`${what} at concurrency 1, ${base.length} requests each, interleaved:\n`);
  for (const [name, samples] of rows) {
    const { p50, p90, p99 } = summarize(samples);
    process.stdout.write(
      `  ${name}: p50 ${formatMs(p50)}, p90 ${formatMs(p90)}, p99 ${formatMs(p99)}\n`,
    );
  }
  await Promise.all(clients.map((client) => client.close()));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllNow();
    process.exit(130);
  });
}
main()
  .then(async (code) => {
    await stopAll();
    killAllNow();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`compare: ${(error as Error).stack ?? String(error)}\n`);
    await stopAll();
    killAllNow();
    process.exit(1);
  });
