// The benchmark's side of bench/gc-hook.ts: start a process with the hook, then ask it for a
// full GC and its allocation counter whenever a reading is due.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { makeTempDir } from './processes.ts';
import { gcHookEntry } from './build.ts';

/** What the hook reports after a full GC, in bytes. */
export interface GcReading {
  /** Bytes V8 allocated since the process started (before this GC). */
  allocatedBytes: number;
  heapUsedAfterGc: number;
}

/** Node flags and environment that load the hook, and how to read from it. */
export interface GcProbe {
  nodeFlags: string[];
  env: NodeJS.ProcessEnv;
  /** Signals `pid` and waits for the hook's answer (at most 5 s). */
  read(pid: number): Promise<GcReading>;
}

/** A probe writing to its own temp file, for one process. */
export function gcProbe(): GcProbe {
  const file = join(makeTempDir('gc'), 'gc-hook.jsonl');
  let seen = 0;
  return {
    nodeFlags: ['--expose-gc', '--import', gcHookEntry()],
    env: { ...process.env, BENCH_GC_HOOK_OUT: file },
    async read(pid) {
      process.kill(pid, 'SIGUSR2');
      const deadline = performance.now() + 5000;
      while (performance.now() < deadline) {
        const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
        if (lines.length > seen && lines[seen] !== '') {
          seen = lines.length;
          return JSON.parse(lines.at(-1) as string) as GcReading;
        }
        await delay(20);
      }
      throw new Error(`pid ${pid} did not answer the GC probe (is bench/gc-hook.ts loaded?)`);
    },
  };
}
