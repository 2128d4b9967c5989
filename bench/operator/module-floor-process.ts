// Child process: the memory floor of the operator — a Node process that has loaded the operator's
// modules (and so @kubernetes/client-node, undici, prom-client, zod, core/) but started nothing.
// It reports one sample after full collections and waits to be killed. Run with --expose-gc.
import process from 'node:process';
import { memorySample, type OperatorMessage } from './messages.ts';

await import('../../operator/main.ts');
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const message: OperatorMessage = { type: 'memory', sample: memorySample(gc !== undefined) };
process.send?.(message);
process.on('disconnect', () => process.exit(0));
