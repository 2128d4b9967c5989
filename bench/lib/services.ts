// The processes under test: fake providers and Switchyard itself, each in its own process.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifests } from './manifests.ts';
import { imageEnv, productionEntry } from './build.ts';
import { BenchProcess, freePort, makeTempDir } from './processes.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A fake OpenAI provider running in its own process. */
export interface FakeService {
  process: BenchProcess;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** `http://127.0.0.1:PORT/v1`: what goes in a ModelProvider's baseURL. */
  url: string;
  /** Replaces the default step (what answers when nothing is queued), e.g. `{ ttftMs: 5 }`. */
  setDefault(step: object): Promise<void>;
  /** Queues steps for the next requests, in arrival order. */
  script(steps: readonly object[]): Promise<void>;
  /** Clears the queue and recorded requests, restores the starting default. */
  reset(): Promise<void>;
  /** Requests the fake has answered (generation requests; 0 unless recording is on). */
  requestCount(): Promise<number>;
}

/** How to start a fake provider. */
export interface FakeOptions {
  name?: string;
  /** CPU list for taskset. */
  cpus?: string;
  /** Record requests (needed for `requestCount`); off by default to keep the fake fast. */
  record?: boolean;
}

/** Starts `test/fakes/main.ts --api openai` in its own process. */
export async function startFake(options: FakeOptions = {}): Promise<FakeService> {
  const name = options.name ?? 'fake';
  const child = new BenchProcess({
    name,
    command: process.execPath,
    args: [
      join(ROOT, 'test/fakes/main.ts'),
      '--api',
      'openai',
      '--port',
      '0',
      '--name',
      name,
      ...(options.record === true ? [] : ['--no-record']),
    ],
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
  const started = JSON.parse(await child.firstLine()) as { origin: string; url: string };
  const control = async (path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${started.origin}/__fake/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${name} /__fake/${path}: ${await response.text()}`);
    return response.json();
  };
  return {
    process: child,
    origin: started.origin,
    url: started.url,
    setDefault: async (step) => void (await control('default', step)),
    script: async (steps) => void (await control('script', steps)),
    reset: async () => void (await control('reset', {})),
    requestCount: async () => ((await control('health')) as { requests: number }).requests,
  };
}

/** Switchyard (`switchyard serve`, production build) running in its own process. */
export interface SwitchyardService {
  process: BenchProcess;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  metricsUrl: string;
  /** Where the per-request JSON log lines go, or undefined with `--quiet`. */
  logFile: string | undefined;
  /** Size of the log file in bytes so far. */
  logBytes(): number;
}

/** How to start Switchyard. */
export interface SwitchyardOptions {
  manifests: Manifests;
  cpus?: string;
  /** Turn the per-request log off (`--quiet`); by default it goes to a temp file. */
  quiet?: boolean;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
  /** Environment of the process; defaults to the benchmark's. The image's ENV is added to it. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts `switchyard serve` from the production build (see ./build.ts) on loopback and waits for
 * /readyz. Metrics are always on.
 */
export async function startSwitchyard(options: SwitchyardOptions): Promise<SwitchyardService> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const logFile =
    options.quiet === true ? undefined : join(makeTempDir('log'), 'switchyard-requests.log');
  const child = new BenchProcess({
    name: 'switchyard',
    command: process.execPath,
    args: [
      ...(options.nodeFlags ?? []),
      productionEntry(),
      'serve',
      '--manifests',
      options.manifests.dir,
      '--port',
      String(port),
      '--metrics-port',
      String(metricsPort),
      '--host',
      '127.0.0.1',
      ...(options.quiet === true ? ['--quiet'] : []),
    ],
    cwd: ROOT,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    env: { ...(options.env ?? process.env), ...imageEnv() },
    stdoutFile: logFile ?? '/dev/null',
  });
  const origin = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${origin}/readyz`);
  await expectAliases(origin, options.manifests.aliases, child);
  return {
    process: child,
    origin,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    logFile,
    logBytes: () => (logFile === undefined ? 0 : statSync(logFile).size),
  };
}

/** Fails when a route the benchmark wrote is not served (a manifest Switchyard refused). */
async function expectAliases(
  origin: string,
  aliases: readonly string[],
  child: BenchProcess,
): Promise<void> {
  const listing = (await (await fetch(`${origin}/v1/models`)).json()) as { data: { id: string }[] };
  const served = new Set(listing.data.map((m) => m.id));
  const missing = aliases.filter((alias) => !served.has(alias));
  if (missing.length > 0) {
    throw new Error(
      `switchyard does not serve ${missing.join(', ')}; its stderr:\n${child.stderrTail()}`,
    );
  }
}

/** How to start the bare proxy. */
export interface BareProxyOptions {
  cpus?: string;
  nodeFlags?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** The bare proxy (bench/bare-proxy.ts) in front of `upstreamUrl`, in its own process. */
export async function startBareProxy(
  upstreamUrl: string,
  options: BareProxyOptions = {},
): Promise<{ process: BenchProcess; origin: string }> {
  const child = new BenchProcess({
    name: 'bare-proxy',
    command: process.execPath,
    args: [...(options.nodeFlags ?? []), join(ROOT, 'bench/bare-proxy.ts'), upstreamUrl],
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const { origin } = JSON.parse(await child.firstLine()) as { origin: string };
  return { process: child, origin };
}
