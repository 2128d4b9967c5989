// What the benchmark and its child processes (the operator, the proxies) say to each other over
// Node's IPC channel. Times are wall-clock milliseconds with sub-millisecond precision, so they
// compare across processes on one machine.
import type { PublishOutcome } from '../../operator/publish/publisher.ts';

/** Wall-clock milliseconds since the epoch, with the precision of the monotonic clock. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** One reading of `process.memoryUsage()` in the operator process. */
export interface MemorySample {
  atMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Taken right after two forced full collections: the retained heap. */
  afterGc: boolean;
}

/** This process's memory now; `afterGc` says whether full collections ran just before. */
export function memorySample(afterGc: boolean): MemorySample {
  const usage = process.memoryUsage();
  return {
    atMs: wallMs(),
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    afterGc,
  };
}

/** The parts of a ReconcileReport the benchmark reads (errors do not survive JSON IPC). */
export interface ReconcileSummary {
  atMs: number;
  configHash: string;
  config: PublishOutcome;
  credentials: PublishOutcome;
  statusWritten: number;
  statusConflicts: number;
  statusFailed: number;
  eventsEmitted: number;
  objects: number;
  compileMs: number;
  publishMs: number;
  durationMs: number;
}

/** Operator child → benchmark. */
export type OperatorMessage =
  | { type: 'starting'; atMs: number }
  | { type: 'started'; atMs: number; port: number }
  | { type: 'reconcile'; report: ReconcileSummary }
  | { type: 'memory'; sample: MemorySample }
  | { type: 'stopped' };

/** Benchmark → operator child. */
export type OperatorCommand = { type: 'sample'; gc: boolean } | { type: 'stop' };

/** Proxy child → benchmark. */
export type ProxyMessage =
  | { type: 'listening'; url: string }
  | { type: 'ready'; atMs: number }
  | { type: 'config'; atMs: number; hash: string; changed: boolean }
  | { type: 'memory'; sample: MemorySample }
  | { type: 'stopped' };

/** Benchmark → proxy child. */
export type ProxyCommand = { type: 'sample'; gc: boolean } | { type: 'stop' };

/** What the benchmark passes to a child on its command line (one JSON argument). */
export interface ChildArguments {
  kubeconfig: string;
  namespace: string;
  /** Operator only: how often to send a memory sample; 0 sends none unasked. */
  sampleEveryMs?: number;
}
