// Child processes of the benchmark and the guarantee that none outlives it. An 'exit' hook kills
// what is still running on a normal exit, an error or Ctrl-C (run.ts turns signals into exits);
// a watchdog process covers a benchmark that is SIGKILLed: it holds a pipe from us and, when the
// pipe closes for any reason, kills every pid still registered and removes the temp folders.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const WATCHDOG = `
const pids = new Set(); const dirs = new Set(); let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk; const lines = buffer.split('\\n'); buffer = lines.pop();
  for (const line of lines) {
    const [op, kind, ...rest] = line.split(' '); const set = kind === 'pid' ? pids : dirs;
    op === '+' ? set.add(rest.join(' ')) : set.delete(rest.join(' '));
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

const live = new Map<number, BenchProcess>();
const tempDirs = new Set<string>();
let watchdog: ChildProcess | undefined;

function tellWatchdog(line: string): void {
  if (watchdog === undefined) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    watchdog.unref();
    (watchdog.stdin as unknown as Socket).unref();
    watchdog.stdin?.on('error', () => undefined);
    process.once('exit', killAllNow);
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** Kills every child still running, synchronously (for 'exit' hooks), and removes temp folders. */
export function killAllNow(): void {
  for (const child of live.values()) child.killNow();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Stops every child still running (SIGTERM, then SIGKILL after a grace period). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live.values()].map((child) => child.stop()));
}

/** Pids of the children still running. */
export function livePids(): number[] {
  return [...live.keys()];
}

/** A temp folder removed when the benchmark ends. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-bench-${prefix}-`));
  tempDirs.add(dir);
  tellWatchdog(`+ dir ${dir}`);
  return dir;
}

/** How to start one child process. */
export interface SpawnOptions {
  /** Short name used in messages, e.g. `switchyard`. */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** CPU list for `taskset -c` (e.g. `1`); unpinned when omitted. */
  cpus?: string;
  /** File that receives stdout (the request log); when omitted stdout is kept for `firstLine()`. */
  stdoutFile?: string;
}

/** A child process started by the benchmark. */
export class BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly #stderr: string[] = [];
  #stdout = '';
  #exited: Promise<number | null>;

  constructor(options: SpawnOptions) {
    this.name = options.name;
    const [command, args] =
      options.cpus === undefined
        ? [options.command, [...options.args]]
        : // taskset execs the command, so the pid stays the node process's own.
          ['taskset', ['-c', options.cpus, options.command, ...options.args]];
    const stdoutFd =
      options.stdoutFile === undefined ? 'pipe' : openSync(options.stdoutFile, 'a', 0o600);
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', stdoutFd, 'pipe'],
    });
    if (typeof stdoutFd === 'number') closeSync(stdoutFd);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.#stdout.length < 64 * 1024) this.#stdout += chunk;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr.push(chunk);
      if (this.#stderr.length > 50) this.#stderr.shift();
    });
    this.#exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    const pid = this.pid;
    live.set(pid, this);
    tellWatchdog(`+ pid ${pid}`);
    void this.#exited.then(() => {
      live.delete(pid);
      tellWatchdog(`- pid ${pid}`);
    });
  }

  /** The process id (of the node process itself, also when pinned with taskset). */
  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name}: could not be started`);
    return this.child.pid;
  }

  /** The last lines the child wrote to stderr, for error messages. */
  stderrTail(): string {
    return this.#stderr.join('').slice(-2000);
  }

  /** Resolves with the first stdout line; rejects when the child exits first or on timeout. */
  async firstLine(timeoutMs = 15_000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const newline = this.#stdout.indexOf('\n');
      if (newline >= 0) return this.#stdout.slice(0, newline);
      if (this.child.exitCode !== null) break;
      await delay(20);
    }
    throw this.#startError('printed no line');
  }

  /** Polls `url` until it answers with `status`; rejects when the child exits or on timeout. */
  async waitForHttp(url: string, status = 200, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.child.exitCode !== null) break;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        if (response.status === status) return;
      } catch {
        // Not listening yet.
      }
      await delay(50);
    }
    throw this.#startError(`never answered ${status} on ${url}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const exited = await Promise.race([this.#exited.then(() => true), delay(graceMs, false)]);
    if (!exited) {
      this.child.kill('SIGKILL');
      await this.#exited;
    }
  }

  /** SIGKILL without waiting (for exit hooks). */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  #startError(what: string): Error {
    const status =
      this.child.exitCode === null ? 'is still running' : `exited with ${this.child.exitCode}`;
    return new Error(`${this.name} ${what} (${status}); stderr:\n${this.stderrTail()}`);
  }
}

/** A free loopback TCP port (bound, then released: the caller uses it at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssBytes(pid: number, field: 'VmRSS' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  if (match?.[1] === undefined) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; fields after ')' are space-separated, utime is the 12th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
