// Reading what the children report: the operator's reconciles, anyone's memory samples.
import { setTimeout as sleep } from 'node:timers/promises';
import type { OperatorChild } from './bench-env.ts';
import type { Child } from './children.ts';
import {
  wallMs,
  type MemorySample,
  type OperatorMessage,
  type ProxyMessage,
  type ReconcileSummary,
} from './messages.ts';

type ReconcileMessage = Extract<OperatorMessage, { type: 'reconcile' }>;
type MemoryMessage = Extract<OperatorMessage | ProxyMessage, { type: 'memory' }>;

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

/** A child that answers `{type: 'sample'}` with a memory message (the operator, a proxy). */
type SampledChild = Child<{ type: 'sample'; gc: boolean }, OperatorMessage | ProxyMessage>;

/** Asks a child for a memory sample (after two forced full collections when `gc`). */
export async function sampleMemory(child: SampledChild, gc: boolean): Promise<MemorySample> {
  const from = child.messages.length;
  child.send({ type: 'sample', gc });
  const message = await child.next(
    (m): m is MemoryMessage => m.type === 'memory' && m.sample.afterGc === gc,
    from,
    30_000,
  );
  return message.sample;
}

/** The operator's own counters from its /metrics (informer restarts, errors, writes), as lines. */
export async function operatorCounters(operator: OperatorChild): Promise<string[]> {
  const started = operator.messages.find(
    (m): m is Extract<OperatorMessage, { type: 'started' }> => m.type === 'started',
  );
  if (started === undefined || !operator.running) return [];
  const res = await fetch(`http://127.0.0.1:${started.port}/metrics`);
  const text = await res.text();
  const wanted = [
    'switchyard_operator_informer_restarts_total',
    'switchyard_operator_reconcile_errors_total',
    'switchyard_operator_publications_total',
    'switchyard_operator_status_writes_total',
    'switchyard_operator_events_total',
  ];
  return text
    .split('\n')
    .filter((line) => wanted.some((name) => line.startsWith(name)) && !line.endsWith(' 0'));
}
