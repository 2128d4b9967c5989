// Child processes and temp folders of the harness, and the guarantee that none outlives the test
// process. A synchronous 'exit' hook covers normal exits; a watchdog process covers the rest (a
// SIGKILLed or timed-out test file runs no hooks): it holds the read end of a pipe from us, and
// when that pipe closes, whatever the reason, it kills what is still registered.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const watchdogSource = `
const pids = new Set(); const dirs = new Set(); let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk; const lines = buffer.split('\\n'); buffer = lines.pop();
  for (const line of lines) {
    const [op, kind, ...rest] = line.split(' '); const value = rest.join(' ');
    const set = kind === 'pid' ? pids : dirs;
    if (op === '+') set.add(value); else set.delete(value);
  }
});
process.stdin.on('end', () => {
  for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} }
  setTimeout(() => {
    for (const dir of dirs) { try { require('node:fs').rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 300);
});
`;

let watchdog: ChildProcess | undefined;
const livePids = new Set<number>();
const liveDirs = new Set<string>();
const keepDirs = process.env['SWITCHYARD_KEEP_TEST_DIRS'] === '1';

function tellWatchdog(line: string): void {
  if (watchdog === undefined) {
    watchdog = spawn(process.execPath, ['-e', watchdogSource], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    // Neither the watchdog nor its pipe may keep the test process alive.
    watchdog.unref();
    (watchdog.stdin as unknown as Socket).unref();
    // Should the watchdog die first, writes to it fail with EPIPE: not a reason to crash a test.
    watchdog.stdin?.on('error', () => undefined);
    process.once('exit', () => {
      for (const pid of livePids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      if (!keepDirs) for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** Creates a temp folder that is removed on stop or, at the latest, when the test process ends. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-${prefix}-`));
  liveDirs.add(dir);
  if (!keepDirs) tellWatchdog(`+ dir ${dir}`);
  return dir;
}

/** Removes a temp folder made by makeTempDir, unless SWITCHYARD_KEEP_TEST_DIRS=1 asks to keep it. */
export function removeTempDir(dir: string): void {
  liveDirs.delete(dir);
  tellWatchdog(`- dir ${dir}`);
  if (!keepDirs) rmSync(dir, { recursive: true, force: true });
}

/** A started child process whose output goes to a log file. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Settles when the process has exited, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process is still running. */
  running(): boolean;
  /** Kills the process (SIGKILL: test state is thrown away anyway) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options for startProcess. */
export interface StartProcessOptions {
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Starts a process with stdout and stderr appended to a log file, registered for cleanup. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartProcessOptions,
): ManagedProcess {
  const log = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', log, log],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  closeSync(log);
  let alive = child.pid !== undefined;
  if (child.pid !== undefined) {
    livePids.add(child.pid);
    tellWatchdog(`+ pid ${child.pid}`);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      alive = false;
      if (child.pid !== undefined) {
        livePids.delete(child.pid);
        tellWatchdog(`- pid ${child.pid}`);
      }
      resolve({ code, signal });
    };
    child.once('exit', done);
    child.once('error', () => done(null, null));
  });
  return {
    name,
    child,
    logFile: options.logFile,
    exited,
    running: () => alive,
    async stop() {
      if (alive) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Whether process `pid` runs. A zombie does not: it has exited and waits to be reaped (by a
 * parent that may be this machine's PID 1, which does not always reap).
 */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The last lines of a log file, for error messages. */
export function tailFile(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Options for waitUntil. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Processes that must stay alive while waiting: if one exits, waiting fails at once. */
  readonly processes?: readonly ManagedProcess[];
}

/**
 * Polls `check` until it returns a value other than undefined; fails early when a watched
 * process dies, with the tail of its log in the error.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    for (const watched of options.processes ?? []) {
      if (!watched.running()) {
        throw new Error(
          `${watched.name} exited while waiting for ${what}; log ${watched.logFile}:\n` +
            tailFile(watched.logFile),
        );
      }
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const logs = (options.processes ?? [])
        .map((watched) => `--- ${watched.name} (${watched.logFile}):\n${tailFile(watched.logFile)}`)
        .join('\n');
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${cause}\n${logs}`,
      );
    }
    await delay(options.intervalMs ?? 50);
  }
}

/** Result of running a command to completion. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for runCommand. */
export interface RunCommandOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** Runs a command asynchronously (never blocking the event loop) and collects its output. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({
        code: code ?? (signal === null ? 1 : 128 + 9),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    // A command that exits before reading its input (EPIPE) has still run to completion.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
