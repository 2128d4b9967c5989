// `--profile`: one load run against a gateway started under `node --cpu-prof`, then where its CPU
// time went during that run, per request. Evidence for a throughput figure, not a figure itself.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './context.ts';
import { chatBody, type Endpoint } from './http.ts';
import { runLoad, type LoadTool } from './load.ts';
import { makeTempDir, type BenchProcess } from './processes.ts';
import { formatMs, formatNumber } from './report.ts';
import { summarizeProfile } from './cpu-profile.ts';

/** A gateway to profile: how to start it with extra node flags, and where to send load. */
export interface ProfileTarget {
  name: string;
  start(nodeFlags: readonly string[]): Promise<{ process: BenchProcess; endpoint: Endpoint }>;
}

/** Profiles `target` during one closed-loop run and prints its heaviest functions and files. */
export async function profileUnderLoad(
  ctx: BenchContext,
  target: ProfileTarget,
  load: { tool: LoadTool; connections: number; durationS: number; cpus: string },
): Promise<void> {
  const { report } = ctx;
  const dir = makeTempDir('cpu-prof');
  const started = await target.start(['--cpu-prof', '--cpu-prof-dir', dir]);
  const { endpoint } = started;
  const spec = {
    url: `${endpoint.origin}${endpoint.path}`,
    body: chatBody(endpoint.model),
    headers: endpoint.headers,
    cpus: load.cpus,
  };
  await runLoad(load.tool, { ...spec, connections: load.connections, durationS: 1 });
  const result = await runLoad(load.tool, {
    ...spec,
    connections: load.connections,
    durationS: load.durationS,
  });
  await started.process.stop(10_000); // the profile is written as the process exits
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) {
    report.note(`${target.name}: no CPU profile was written`);
    return;
  }
  const summary = summarizeProfile(join(dir, file), load.durationS, 12);
  const perRequestMs = (share: number): string =>
    formatMs((share * summary.windowS * 1000) / Math.max(1, result.requests));
  report.line(
    `\n  profile of ${target.name}: ${formatNumber(result.rps)} req/s at ${load.connections} connections, ${formatNumber(result.requests)} requests, idle ${(summary.idle * 100).toFixed(0)} % (time per request = share × run ÷ requests)`,
  );
  report.table([
    ['self time by kind', 'share', 'per request'],
    ...summary.categories.map((f) => [
      f.name,
      `${(f.share * 100).toFixed(1)} %`,
      perRequestMs(f.share),
    ]),
  ]);
  report.table([
    ['self time by file', 'share', 'per request'],
    ...summary.files.map((f) => [f.name, `${(f.share * 100).toFixed(1)} %`, perRequestMs(f.share)]),
  ]);
  report.table([
    ['self time by function', 'share', 'per request'],
    ...summary.functions.map((f) => [
      f.name,
      `${(f.share * 100).toFixed(1)} %`,
      perRequestMs(f.share),
    ]),
  ]);
}
