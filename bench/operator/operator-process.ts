// Child process: one operator replica with production timings, reporting its reconciles and its
// memory to the benchmark over IPC. Run with --expose-gc so the benchmark can ask for the retained
// heap. Exits when the benchmark says stop or when the IPC channel closes (the benchmark died).
import process from 'node:process';
import { startOperator } from '../../operator/main.ts';
import type { ReconcileReport } from '../../operator/reconcile/reconciler.ts';
import {
  memorySample,
  wallMs,
  type ChildArguments,
  type OperatorCommand,
  type OperatorMessage,
  type ReconcileSummary,
} from './messages.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArguments;

function send(message: OperatorMessage): void {
  if (process.connected) process.send?.(message);
}

function summary(report: ReconcileReport): ReconcileSummary {
  return {
    atMs: wallMs(),
    configHash: report.configHash,
    config: report.config,
    credentials: report.credentials,
    statusWritten: report.status.written,
    statusConflicts: report.status.conflicts,
    statusFailed: report.status.failed,
    eventsEmitted: report.events.emitted,
    objects: report.objects,
    compileMs: report.compileMs,
    publishMs: report.publishMs,
    durationMs: report.durationMs,
  };
}

process.on('disconnect', () => process.exit(0));

send({ type: 'starting', atMs: wallMs() });
const operator = await startOperator({
  kubeconfig: args.kubeconfig,
  namespace: args.namespace,
  port: 0,
  host: '127.0.0.1',
  identity: `bench-operator-${process.pid}`,
  logLevel: 'warn',
  onReconcile: (report) => send({ type: 'reconcile', report: summary(report) }),
});
send({ type: 'started', atMs: wallMs(), port: operator.port });

const sampler =
  (args.sampleEveryMs ?? 0) > 0
    ? setInterval(() => send({ type: 'memory', sample: memorySample(false) }), args.sampleEveryMs)
    : undefined;

const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (command: OperatorCommand) => {
  switch (command.type) {
    case 'sample':
      if (command.gc && gc !== undefined) {
        // Two passes: the first may only schedule finalizers whose garbage the second frees.
        gc();
        gc();
      }
      send({ type: 'memory', sample: memorySample(command.gc && gc !== undefined) });
      return;
    case 'stop':
      clearInterval(sampler);
      void operator.stop({ releaseLease: true }).then(() => {
        send({ type: 'stopped' });
        process.exit(0);
      });
      return;
  }
});
