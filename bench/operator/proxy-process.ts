// Child process: one proxy in cluster mode (`switchyard serve --kube` in code), as in a pod: it
// follows the ConfigMap and Secret the operator publishes with its own watchClusterConfig and
// reports every config it loads. Exits when told to stop or when the IPC channel closes.
import process from 'node:process';
import { watchClusterConfig } from '../../proxy/cluster/watch-cluster-config.ts';
import type { LogSink } from '../../proxy/log/request-log.ts';
import { startProxy } from '../../proxy/proxy.ts';
import {
  memorySample,
  wallMs,
  type ChildArguments,
  type ProxyCommand,
  type ProxyMessage,
} from './messages.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArguments;

function send(message: ProxyMessage): void {
  if (process.connected) process.send?.(message);
}

/**
 * Warnings and errors go to stderr, which the benchmark collects. The 404s for an alias not yet
 * served are the benchmark's own polling and are dropped.
 */
const warnings: LogSink = (line) => {
  if (line['level'] !== 'warn' && line['level'] !== 'error') return;
  if (line['errorCode'] === 'MODEL_NOT_FOUND') return;
  process.stderr.write(`${JSON.stringify(line)}\n`);
};

process.on('disconnect', () => process.exit(0));

const proxy = await startProxy({
  port: 0,
  metricsPort: null,
  host: '127.0.0.1',
  drainMs: 1000,
  log: warnings,
});
send({ type: 'listening', url: proxy.url });

const watch = watchClusterConfig({
  kubeconfig: args.kubeconfig,
  namespace: args.namespace,
  store: proxy.ctx.config,
  credentials: proxy.ctx.credentials,
  log: warnings,
  onEvent: (event) => {
    if (event.type === 'config-loaded') {
      send({ type: 'config', atMs: wallMs(), hash: event.hash, changed: event.changed });
    }
  },
});
void watch.ready.then(() => send({ type: 'ready', atMs: wallMs() }));

const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (command: ProxyCommand) => {
  if (command.type === 'sample') {
    if (command.gc) {
      gc?.();
      gc?.();
    }
    send({ type: 'memory', sample: memorySample(command.gc && gc !== undefined) });
    return;
  }
  void (async () => {
    await watch.stop();
    await proxy.close();
    send({ type: 'stopped' });
    process.exit(0);
  })();
});
