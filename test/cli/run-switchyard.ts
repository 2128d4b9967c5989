// Runs bin/switchyard.js as users do: a child process with the project's pinned Node.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const pinnedNode = join(repoRoot, 'node_modules/.bin/node');
const node = existsSync(pinnedNode) ? pinnedNode : process.execPath;
const bin = join(repoRoot, 'bin/switchyard.js');

/** What a run printed and how it exited. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for "the output mentions …" assertions. */
  output: string;
}

/** Runs `switchyard ARGS...` from the repository root. */
export function switchyard(...args: string[]): Run {
  const result = spawnSync(node, [bin, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: result.stdout + result.stderr,
  };
}

/** Runs `switchyard ARGS...` without blocking, so that many runs can go in parallel. */
export function switchyardAsync(...args: string[]): Promise<Run> {
  return switchyardWithEnv(process.env, ...args);
}

/** Runs `switchyard ARGS...` without blocking, with the given environment. */
export function switchyardWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const options = { cwd: repoRoot, encoding: 'utf8' as const, env };
    execFile(node, [bin, ...args], options, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr, output: stdout + stderr });
    });
  });
}

/** True when the output holds a stack frame (`    at fn (file:line)`), which users must never see. */
export function hasStackTrace(output: string): boolean {
  return /^\s+at /m.test(output);
}

/** Writes files into a fresh temporary folder; returns its path and a cleanup function. */
export function tempManifests(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A long-running `switchyard` process (e.g. `serve`): what it printed so far and its exit code. */
export interface SwitchyardProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `switchyard ARGS...` (or another CLI entry, e.g. the production build) in the background. */
export function startSwitchyard(
  args: string[],
  entry: string = bin,
  env: NodeJS.ProcessEnv = process.env,
): SwitchyardProcess {
  const child = spawn(node, [entry, ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}
