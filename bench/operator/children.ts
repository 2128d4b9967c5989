// The benchmark's child processes (operator replicas, proxies): spawned with an IPC channel,
// their messages kept and awaitable, their stderr kept for the report. Every child is tracked so
// that an error, Ctrl-C or a plain exit kills what is left; a child also exits by itself when
// the IPC channel closes, which covers a benchmark killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every child still running, at once (SIGKILL). Safe to call from an exit hook. */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** A child process speaking JSON messages of type `Out` and taking commands of type `In`. */
export class Child<In, Out extends { type: string }> {
  readonly name: string;
  readonly messages: Out[] = [];
  /** The child's stderr, line by line (the operator logs warnings and errors there). */
  readonly stderrLines: string[] = [];
  readonly #process: ChildProcess;
  readonly #exited: Promise<number | null>;
  #waiters: (() => void)[] = [];

  constructor(name: string, script: string, argument: unknown, execArgv: readonly string[] = []) {
    this.name = name;
    if (!exitHookInstalled) {
      process.once('exit', killAllChildren);
      exitHookInstalled = true;
    }
    const file = fileURLToPath(new URL(script, import.meta.url));
    this.#process = spawn(process.execPath, [...execArgv, file, JSON.stringify(argument)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    live.add(this.#process);
    this.#process.on('message', (message: Out) => {
      this.messages.push(message);
      this.#wake();
    });
    let partial = '';
    this.#process.stderr?.setEncoding('utf8');
    this.#process.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      this.stderrLines.push(...lines.filter((line) => line !== ''));
    });
    this.#exited = new Promise((resolve) => {
      this.#process.once('exit', (code) => {
        live.delete(this.#process);
        this.#wake();
        resolve(code);
      });
    });
  }

  /** The child's process id. */
  get pid(): number {
    return this.#process.pid ?? -1;
  }

  /** Whether the child is still running. */
  get running(): boolean {
    return this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /** Sends a command; ignored once the child is gone. */
  send(command: In): void {
    if (this.#process.connected) this.#process.send(command as object);
  }

  /**
   * Resolves with the first message from index `from` on that `match` accepts; rejects after
   * `timeoutMs` or when the child exits first.
   */
  async next<T extends Out>(
    match: (message: Out) => message is T,
    from = 0,
    timeoutMs = 30_000,
  ): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (let seen = from; ;) {
      for (; seen < this.messages.length; seen++) {
        const message = this.messages[seen]!;
        if (match(message)) return message;
      }
      if (!this.running) throw new Error(`${this.name} exited:\n${this.stderrTail()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.name}: timed out after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resident set size from /proc (Linux), in bytes; undefined elsewhere or once exited. */
  rssBytes(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
      return kib === undefined ? undefined : Number(kib) * 1024;
    } catch {
      return undefined;
    }
  }

  /** Asks the child to stop with `command`; kills it if it has not exited after `graceMs`. */
  async stop(command: In, graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.send(command);
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Kills the child at once. */
  async kill(): Promise<void> {
    if (this.running) this.#process.kill('SIGKILL');
    await this.#exited;
  }

  /** The last lines of stderr, for error messages. */
  stderrTail(lines = 20): string {
    return this.stderrLines.slice(-lines).join('\n');
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
