import { readFileSync } from 'node:fs';
import { startProxy } from '../proxy/proxy.ts';
import { ClientAuth } from '../proxy/http/client-auth.ts';
import { TenantTrust } from '../proxy/http/tenant-trust.ts';
import { compactAfterFirstConfig } from '../proxy/memory/compact-heap.ts';
import type { SharedState } from '../proxy/state/shared-state.ts';
import type { ClusterAccess } from '../proxy/cluster/cluster-access.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';
import {
  OBSERVABILITY_FLAGS,
  OBSERVABILITY_USAGE,
  observabilityOptions,
} from './serve-observability.ts';
import { LIMIT_FLAGS, LIMIT_USAGE, limitOptions } from './serve-limits.ts';

/** The `switchyard serve --help` text. */
export const usage = `Usage: switchyard serve --manifests DIR [--port 8080] [--metrics-port 9090] [--host 0.0.0.0]
       switchyard serve --kube [--namespace NS] [--kubeconfig PATH] [--port 8080] [--metrics-port 9090]

Runs one proxy from ModelProvider, RoutePolicy and Secret manifests on disk — no cluster needed.
Changes to DIR are picked up without a restart; a change that does not validate is logged and the
last good config keeps serving. /readyz answers 200 once a config has loaded.

API keys come from Secret manifests in DIR (data or stringData), or from the environment: a
provider whose auth.secretRef {name: N, key: K} has no Secret manifest reads the variable
N_K in upper case with every other character than A-Z and 0-9 turned into "_"
(secretRef {name: openai, key: apiKey} → OPENAI_APIKEY).

With --kube (cluster mode) the proxy follows the ConfigMap switchyard-config and the Secret
switchyard-credentials that the operator publishes in NS (default: POD_NAMESPACE, else the
in-cluster namespace, else switchyard-system), swaps them in without a restart and keeps the last
good config whenever the API server is unreachable or a config does not validate.

Options:
  --manifests DIR       folder (or file) of manifests
  --kube                cluster mode instead of --manifests
  --namespace NS        cluster mode: where the operator publishes
  --kubeconfig PATH     cluster mode: kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --port N              API port (default 8080)
  --metrics-port N      /metrics port (default 9090; 0 picks a free port)
  --host ADDR           listen address (default 0.0.0.0)
  --quiet               no per-request log lines
  --redis URL           Redis for budgets and the response cache shared by every proxy (default:
                        SWITCHYARD_REDIS_URL; without it each proxy keeps its own, in memory)
  --api-keys-file PATH  client API keys, one per line as NAME:KEY (split at the first colon; a
                        bare KEY without a colon is allowed); requests, /v1/models included, must
                        then send Authorization: Bearer KEY, and NAME becomes their tenant. A file
                        with no key is an error. Default: open, said so at startup
                        (SWITCHYARD_API_KEYS_FILE)
  --log-prompts         include the request messages in log lines (off by default: prompts are
                        customer data)
${OBSERVABILITY_USAGE}
${LIMIT_USAGE}`;

/** Runs `switchyard serve`; resolves when the process is told to stop. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    manifests: { type: 'string' },
    port: { type: 'string', default: '8080' },
    'metrics-port': { type: 'string', default: '9090' },
    host: { type: 'string', default: '0.0.0.0' },
    quiet: { type: 'boolean', default: false },
    kube: { type: 'boolean', default: false },
    'log-prompts': { type: 'boolean', default: false },
    redis: { type: 'string' },
    'api-keys-file': { type: 'string' },
    namespace: { type: 'string' },
    kubeconfig: { type: 'string' },
    ...OBSERVABILITY_FLAGS,
    ...LIMIT_FLAGS,
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  // Checked before anything connects or listens: a bad value is a usage error, exit code 2.
  const observability = observabilityOptions(values);
  const limits = limitOptions(values);
  const state = await sharedState(values.redis ?? process.env['SWITCHYARD_REDIS_URL'], io);
  const keysFile = values['api-keys-file'] ?? process.env['SWITCHYARD_API_KEYS_FILE'];
  const auth = clientAuth(keysFile, limits.tenantHeaderTrust, io);
  if (values.kube === true) {
    // Resolved before anything listens: a wrong kubeconfig is a one-line error and exit code 2.
    const { resolveClusterAccess } = await import('../proxy/cluster/cluster-access.ts');
    let access: ClusterAccess;
    try {
      access = resolveClusterAccess(values.kubeconfig);
    } catch (error) {
      throw new UsageError(`cluster mode: ${(error as Error).message}`);
    }
    const proxy = await startProxy({
      ...limits,
      ...(state === undefined ? {} : { state }),
      ...(auth === undefined ? {} : { auth }),
      port: portOf(values.port, '--port'),
      metricsPort: portOf(values['metrics-port'], '--metrics-port'),
      host: values.host,
      logPrompts: values['log-prompts'] === true,
      ...(values.quiet === true ? { log: () => {} } : {}),
      ...observability,
    });
    compactAfterFirstConfig(proxy.ctx.config);
    const { watchClusterConfig } = await import('../proxy/cluster/watch-cluster-config.ts');
    const watch = watchClusterConfig({
      access,
      namespace: values.namespace ?? clusterNamespace(),
      store: proxy.ctx.config,
      credentials: proxy.ctx.credentials,
    });
    await stopSignal();
    await watch.stop();
    await proxy.close();
    return EXIT.ok;
  }
  if (values.manifests === undefined)
    throw new UsageError('--manifests DIR (or --kube) is required');
  const { serveManifests } = await import('./serve-manifests.ts');
  const served = await serveManifests({
    manifests: values.manifests,
    port: portOf(values.port, '--port'),
    metricsPort: portOf(values['metrics-port'], '--metrics-port'),
    host: values.host,
    quiet: values.quiet === true,
    logPrompts: values['log-prompts'] === true,
    limits,
    ...(state === undefined ? {} : { state }),
    ...(auth === undefined ? {} : { auth }),
    ...observability,
    io,
  });
  compactAfterFirstConfig(served.proxy.ctx.config);
  await stopSignal();
  await served.close();
  return EXIT.ok;
}

/**
 * Client keys from the keys file, said out loud either way: an open API is a choice, not an
 * accident of an empty file (which is an error, exit code 2).
 */
function clientAuth(
  path: string | undefined,
  trust: TenantTrust | undefined,
  io: CommandIo,
): ClientAuth | undefined {
  if (path === undefined || path === '') {
    io.stderr(
      `switchyard serve: no client keys (--api-keys-file): the API is open to anyone who can reach it, and x-switchyard-tenant is trusted from ${(trust ?? TenantTrust.any).description} (--trust-tenant-header-from)`,
    );
    return undefined;
  }
  let auth: ClientAuth;
  try {
    auth = ClientAuth.fromFile(path);
  } catch (error) {
    throw new UsageError(`client keys: ${(error as Error).message}`);
  }
  const { keys, clients } = auth.summary;
  io.stderr(`switchyard serve: client keys required: ${keys} key(s) for ${clients} client(s)`);
  return auth;
}

/** Connects to Redis when a URL is given; the proxy then shares budgets and cache with its fleet. */
async function sharedState(
  url: string | undefined,
  io: CommandIo,
): Promise<SharedState | undefined> {
  if (url === undefined || url === '') return undefined;
  const { RedisState } = await import('../proxy/state/redis-state.ts');
  const host = new URL(url).host;
  const state = await RedisState.connect(url, (status) =>
    io.stderr(`switchyard serve: redis ${host}: ${status}`),
  );
  io.stderr(`switchyard serve: budgets and cache shared through ${host}`);
  return state;
}

function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The namespace the operator publishes to, as seen from a pod. */
function clusterNamespace(): string {
  const fromEnv = process.env['POD_NAMESPACE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return readFileSync(IN_CLUSTER_NAMESPACE_FILE, 'utf8').trim();
  } catch {
    return 'switchyard-system';
  }
}

function portOf(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${flag} must be a port number, not "${value}"`);
  return port;
}
