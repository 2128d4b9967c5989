// Reading what the operator child reports: its reconciles and its memory samples.
import { setTimeout as sleep } from 'node:timers/promises';
import type { OperatorChild } from './bench-env.ts';
import {
  wallMs,
  type MemorySample,
  type OperatorMessage,
  type ReconcileSummary,
} from './messages.ts';

type ReconcileMessage = Extract<OperatorMessage, { type: 'reconcile' }>;
type MemoryMessage = Extract<OperatorMessage, { type: 'memory' }>;

/** The reconciles the operator reported from message index `from` on. */
export function reconcilesSince(operator: OperatorChild, from = 0): ReconcileSummary[] {
  return operator.messages
    .slice(from)
    .filter((m): m is ReconcileMessage => m.type === 'reconcile')
    .map((m) => m.report);
}

/** The memory samples the operator reported from message index `from` on. */
export function memorySince(operator: OperatorChild, from = 0): MemorySample[] {
  return operator.messages
    .slice(from)
    .filter((m): m is MemoryMessage => m.type === 'memory')
    .map((m) => m.sample);
}

/** The first reconcile from message index `from` on that `match` accepts. */
export async function nextReconcile(
  operator: OperatorChild,
  from: number,
  match: (report: ReconcileSummary) => boolean,
  timeoutMs = 120_000,
): Promise<ReconcileSummary> {
  const message = await operator.next(
    (m): m is ReconcileMessage => m.type === 'reconcile' && match(m.report),
    from,
    timeoutMs,
  );
  return message.report;
}

/**
 * Waits until the operator is idle: its last reconcile wrote nothing (no config, no status) and
 * no reconcile followed for `quietMs`.
 */
export async function waitSettled(
  operator: OperatorChild,
  quietMs = 1000,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = wallMs() + timeoutMs;
  for (;;) {
    const last = reconcilesSince(operator).at(-1);
    const idle =
      last !== undefined &&
      last.config === 'unchanged' &&
      last.statusWritten === 0 &&
      wallMs() - last.atMs >= quietMs;
    if (idle) return;
    if (wallMs() > deadline) throw new Error(`the operator did not settle in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Asks the operator for a memory sample (after forced full collections when `gc`). */
export async function sampleMemory(operator: OperatorChild, gc: boolean): Promise<MemorySample> {
  const from = operator.messages.length;
  operator.send({ type: 'sample', gc });
  const message = await operator.next(
    (m): m is MemoryMessage => m.type === 'memory' && m.sample.afterGc === gc,
    from,
    30_000,
  );
  return message.sample;
}
