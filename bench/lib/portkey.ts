// Portkey's open-source gateway (@portkey-ai/gateway), the baseline the issues compare against.
// Installed on demand into .cache/bench/portkey, never into the project's package.json.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BenchProcess, freePort } from './processes.ts';
import type { BenchContext } from './context.ts';
import { ROOT } from './services.ts';

const PREFIX = join(ROOT, '.cache/bench/portkey');
const PACKAGE_DIR = join(PREFIX, 'node_modules/@portkey-ai/gateway');

/** An installed Portkey gateway, or why there is none. */
export type PortkeyInstall =
  { ok: true; version: string; entry: string } | { ok: false; reason: string };

/** Portkey running in its own process. */
export interface PortkeyService {
  process: BenchProcess;
  origin: string;
  version: string;
  /** The headers that send a request through Portkey to the OpenAI-compatible `upstreamUrl`. */
  headersFor(upstreamUrl: string): Record<string, string>;
}

let installed: Promise<PortkeyInstall> | undefined;

/**
 * Installs `@portkey-ai/gateway@latest` into .cache/bench/portkey when it is not there yet
 * (`update` reinstalls), and finds its Node entry point. Never throws: a failure is a reason.
 */
export function ensurePortkey(update = false): Promise<PortkeyInstall> {
  installed ??= install(update);
  return installed;
}

async function install(update: boolean): Promise<PortkeyInstall> {
  try {
    if (update || !existsSync(join(PACKAGE_DIR, 'package.json'))) {
      mkdirSync(PREFIX, { recursive: true });
      process.stdout.write('installing @portkey-ai/gateway@latest into .cache/bench/portkey …\n');
      await promisify(execFile)(
        'npm',
        ['install', '--prefix', PREFIX, '--no-audit', '--no-fund', '@portkey-ai/gateway@latest'],
        { cwd: PREFIX, timeout: 180_000 },
      );
    }
    const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
      version: string;
      bin?: string | Record<string, string>;
    };
    const bin =
      typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
    const entry = join(PACKAGE_DIR, bin ?? 'build/start-server.js');
    if (!existsSync(entry)) return { ok: false, reason: `no Node entry point at ${entry}` };
    return { ok: true, version: manifest.version, entry };
  } catch (error) {
    const message = (error as { stderr?: string; message?: string }).stderr ?? String(error);
    return { ok: false, reason: `npm install @portkey-ai/gateway failed: ${message.trim()}` };
  }
}

/** Starts the installed Portkey gateway (`--headless`) on a free loopback port. */
export async function startPortkey(
  install: Extract<PortkeyInstall, { ok: true }>,
  cpus?: string,
): Promise<PortkeyService> {
  const port = await freePort();
  const child = new BenchProcess({
    name: 'portkey',
    command: process.execPath,
    args: [install.entry, `--port=${port}`, '--headless'],
    cwd: PREFIX,
    env: { ...process.env, NODE_ENV: 'production' },
    stdoutFile: '/dev/null',
    ...(cpus === undefined ? {} : { cpus }),
  });
  const origin = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${origin}/`);
  return {
    process: child,
    origin,
    version: install.version,
    headersFor: (upstreamUrl) => ({
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': upstreamUrl,
    }),
  };
}

/**
 * Starts Portkey when the run compares with it; otherwise (or when it cannot be installed or
 * started) notes why in the report and resolves to undefined, so the measurement goes on without.
 */
export async function portkeyIfWanted(
  ctx: BenchContext,
  cpus?: string,
): Promise<PortkeyService | undefined> {
  if (ctx.portkey === undefined) return undefined;
  if (!ctx.portkey.ok) {
    ctx.report.note(`Portkey skipped: ${ctx.portkey.reason}`);
    return undefined;
  }
  try {
    return await startPortkey(ctx.portkey, cpus);
  } catch (error) {
    ctx.report.note(`Portkey skipped: it did not start: ${(error as Error).message}`);
    return undefined;
  }
}
