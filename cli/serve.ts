import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { compile } from '../core/compile/compile.ts';
import { formatProblem } from '../core/compile/manifest-problem.ts';
import type { Snapshot } from '../core/compile/snapshot.ts';
import { startProxy, type RunningProxy } from '../proxy/proxy.ts';
import { ClientAuth } from '../proxy/http/client-auth.ts';
import { compactAfterFirstConfig } from '../proxy/memory/compact-heap.ts';
import type { SharedState } from '../proxy/state/shared-state.ts';
import type { ClusterAccess } from '../proxy/cluster/cluster-access.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';
import { loadManifests } from './load-manifests.ts';

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
  --api-keys-file PATH  client API keys, one per line as NAME:KEY (or KEY); requests must then send
                        Authorization: Bearer KEY, and NAME becomes their tenant. Default: open
                        (SWITCHYARD_API_KEYS_FILE)
  --log-prompts         include the request messages in log lines (off by default: prompts are
                        customer data)`;

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
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  const state = await sharedState(values.redis ?? process.env['SWITCHYARD_REDIS_URL'], io);
  const keysFile = values['api-keys-file'] ?? process.env['SWITCHYARD_API_KEYS_FILE'];
  const auth =
    keysFile === undefined || keysFile === '' ? undefined : ClientAuth.fromFile(keysFile);
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
      ...(state === undefined ? {} : { state }),
      ...(auth === undefined ? {} : { auth }),
      port: portOf(values.port, '--port'),
      metricsPort: portOf(values['metrics-port'], '--metrics-port'),
      host: values.host,
      logPrompts: values['log-prompts'] === true,
      ...(values.quiet === true ? { log: () => {} } : {}),
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
  const served = await serveManifests({
    manifests: values.manifests,
    port: portOf(values.port, '--port'),
    metricsPort: portOf(values['metrics-port'], '--metrics-port'),
    host: values.host,
    quiet: values.quiet === true,
    logPrompts: values['log-prompts'] === true,
    ...(state === undefined ? {} : { state }),
    ...(auth === undefined ? {} : { auth }),
    io,
  });
  compactAfterFirstConfig(served.proxy.ctx.config);
  await stopSignal();
  await served.close();
  return EXIT.ok;
}

/** Connects to Redis when a URL is given; the proxy then shares budgets and cache with its fleet. */
async function sharedState(
  url: string | undefined,
  io: CommandIo,
): Promise<SharedState | undefined> {
  if (url === undefined || url === '') return undefined;
  const { RedisState } = await import('../proxy/state/redis-state.ts');
  const state = await RedisState.connect(url, (error) =>
    io.stderr(`switchyard serve: redis: ${error.message}`),
  );
  io.stderr(`switchyard serve: budgets and cache shared through ${new URL(url).host}`);
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

/** A proxy serving a manifest folder, reloading it on change. */
export interface ServedManifests {
  proxy: RunningProxy;
  /** Reloads now (also called by the folder watcher); resolves to true when a config was applied. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** Starts a proxy on a manifest folder. Exported for `npm start` and the tests. */
export async function serveManifests(options: {
  manifests: string;
  port: number;
  metricsPort: number | null;
  host: string;
  quiet: boolean;
  logPrompts?: boolean;
  state?: SharedState;
  auth?: ClientAuth;
  io: CommandIo;
}): Promise<ServedManifests> {
  const { io } = options;
  const proxy = await startProxy({
    port: options.port,
    metricsPort: options.metricsPort,
    host: options.host,
    logPrompts: options.logPrompts === true,
    ...(options.state === undefined ? {} : { state: options.state }),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.quiet ? { log: () => {} } : {}),
  });
  const reload = async (): Promise<boolean> => {
    const loaded = await loadManifests([options.manifests]);
    const secrets = new Map(loaded.secretsValues);
    const snapshot = withEnvironmentSecrets(loaded.snapshot, secrets);
    const result = compile(snapshot, proxy.ctx.config.current?.config);
    const problems = loaded.problems.filter((p) => p.severity === 'error').map(formatProblem);
    for (const status of result.statuses) {
      for (const c of status.conditions) {
        if (c.status !== 'True' && c.reason !== 'NotAccepted' && c.reason !== 'RefsNotResolved') {
          problems.push(
            `${status.kind} ${status.namespace}/${status.name}: ${c.type}=False ${c.reason}: ${c.message}`,
          );
        }
      }
    }
    for (const line of problems) io.stderr(`switchyard serve: ${line}`);
    if (problems.length > 0 && proxy.ctx.config.ready) {
      io.stderr(
        `switchyard serve: ${problems.length} problem(s); keeping config ${proxy.ctx.config.current?.config.configHash.slice(0, 12)}`,
      );
      return false;
    }
    proxy.ctx.credentials.replace(secrets);
    const applied = proxy.ctx.config.swap(result.config);
    if (applied.ok && applied.changed) {
      io.stderr(
        `switchyard serve: serving config ${applied.hash.slice(0, 12)} (${result.config.routes.length} routes, ${result.config.providers.length} providers)`,
      );
    }
    return applied.ok;
  };
  await reload();
  const watcher = watchFolder(options.manifests, () => {
    reload().catch((error: unknown) =>
      io.stderr(`switchyard serve: reload failed: ${(error as Error).message}`),
    );
  });
  return {
    proxy,
    reload,
    async close() {
      watcher?.close();
      await proxy.close();
    },
  };
}

/** Watches a folder recursively and calls `onChange` once per burst of events (200 ms debounce). */
function watchFolder(path: string, onChange: () => void): FSWatcher | undefined {
  let timer: NodeJS.Timeout | undefined;
  try {
    return watch(path, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 200);
    });
  } catch {
    return undefined; // a single file on a platform without recursive watch: no live reload
  }
}

/** Adds API keys from environment variables for secretRefs that no Secret manifest provides. */
export function withEnvironmentSecrets(
  snapshot: Snapshot,
  secrets: Map<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Snapshot {
  const summaries = [...snapshot.secrets];
  for (const provider of snapshot.providers) {
    const ref = secretRefOf(provider.spec);
    if (ref === undefined) continue;
    const namespace = provider.metadata.namespace ?? 'default';
    const mapKey = `${namespace}/${ref.name}/${ref.key}`;
    const value = env[environmentName(ref.name, ref.key)];
    if (secrets.has(mapKey) || value === undefined || value === '') continue;
    secrets.set(mapKey, value);
    addKey(summaries, namespace, ref.name, ref.key);
  }
  return summaries.length === snapshot.secrets.length &&
    summaries.every((s, i) => s === snapshot.secrets[i])
    ? snapshot
    : { ...snapshot, secrets: summaries };
}

function secretRefOf(spec: unknown): { name: string; key: string } | undefined {
  const ref = (spec as { auth?: { secretRef?: { name?: unknown; key?: unknown } } } | undefined)
    ?.auth?.secretRef;
  if (typeof ref?.name !== 'string') return undefined;
  return { name: ref.name, key: typeof ref.key === 'string' ? ref.key : 'apiKey' };
}

function addKey(
  summaries: Snapshot['secrets'],
  namespace: string,
  name: string,
  key: string,
): void {
  const index = summaries.findIndex((s) => s.namespace === namespace && s.name === name);
  const existing = summaries[index];
  if (existing === undefined) summaries.push({ namespace, name, keys: [key] });
  else summaries[index] = { ...existing, keys: [...new Set([...existing.keys, key])] };
}

/** The environment variable that supplies a Secret key in serve mode. */
export function environmentName(secretName: string, key: string): string {
  return `${secretName}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
