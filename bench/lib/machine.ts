// How busy the machine was besides the benchmark. Figures taken while other processes compete for
// the two cores are not comparable with quiet ones, so every measurement reports it.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cpuSeconds, livePids } from './processes.ts';

/** USER_HZ: 100 on every Linux architecture Node supports. */
const TICKS = 100;

/** CPU time counters at one instant. */
export interface CpuSnapshot {
  atMs: number;
  /** Busy seconds per CPU (user, nice, system, irq, softirq, steal), index = CPU number. */
  busyS: number[];
  /** CPU seconds of the benchmark and every child it started (running or reaped). */
  oursS: number;
}

/** Reads the counters now. */
export function cpuSnapshot(): CpuSnapshot {
  const busyS: number[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const f = (match[2] ?? '').split(/\s+/).map(Number);
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    busyS[Number(match[1])] = busy / TICKS;
  }
  return { atMs: performance.now(), busyS, oursS: oursSeconds() };
}

function oursSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, and cutime, cstime: children already reaped (wrk runs, stopped processes).
  const self = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
  let children = 0;
  for (const pid of livePids()) {
    try {
      children += cpuSeconds(pid);
    } catch {
      // Exited between listing and reading: counted in cutime once reaped.
    }
  }
  return self + children;
}

/** CPU use between two snapshots, in cores (1 = one core fully busy). */
export interface CpuUse {
  /** Busy cores per CPU. */
  perCpu: number[];
  /** Cores used by processes other than the benchmark's own. */
  otherCores: number;
}

/** CPU use between `before` and `after`. */
export function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const wallS = Math.max(1e-3, (after.atMs - before.atMs) / 1000);
  const perCpu = after.busyS.map((busy, i) => (busy - (before.busyS[i] ?? 0)) / wallS);
  const total = perCpu.reduce((sum, x) => sum + x, 0);
  const ours = (after.oursS - before.oursS) / wallS;
  return { perCpu, otherCores: Math.max(0, total - ours) };
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return loadavg()[0] ?? Number.NaN;
}

/**
 * Waits until other processes use less than `maxOtherCores` over a 2-second window, for at most
 * `timeoutS` seconds; resolves to the last observed use (in cores).
 */
export async function waitForQuiet(timeoutS: number, maxOtherCores: number): Promise<number> {
  const deadline = performance.now() + timeoutS * 1000;
  let other: number;
  do {
    const before = cpuSnapshot();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    other = cpuUse(before, cpuSnapshot()).otherCores;
    if (other < maxOtherCores) return other;
  } while (performance.now() < deadline);
  return other;
}
