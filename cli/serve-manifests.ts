// `switchyard serve --manifests DIR`: a proxy compiled from a manifest folder, reloaded on change.
// Its own module, loaded only in that mode: compile(), the manifest loader and js-yaml are ~2.5 MB
// that a proxy in cluster mode (what pods run) never needs.
import type { ChargebackOptions } from '../proxy/metrics/chargeback.ts';
import type { TracingOptions } from '../proxy/trace/request-trace.ts';
import { watch, type FSWatcher } from 'node:fs';
import { compile, type CompileResult } from '../core/compile/compile.ts';
import { formatProblem } from '../core/compile/manifest-problem.ts';
import type { Snapshot } from '../core/compile/snapshot.ts';
import type { RouterConfig } from '../core/config/router-config.ts';
import type { RouteIndex } from '../core/routing/route-index.ts';
import { startProxy, type RunningProxy, type StartProxyOptions } from '../proxy/proxy.ts';
import type { ClientAuth } from '../proxy/http/client-auth.ts';
import type { SharedState } from '../proxy/state/shared-state.ts';
import type { CommandIo } from './command.ts';
import { loadManifests } from './load-manifests.ts';

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
  /** Body size, memory and timeout limits (the serve flags); defaults where absent. */
  limits?: Partial<StartProxyOptions>;
  state?: SharedState;
  auth?: ClientAuth;
  tracing?: TracingOptions | undefined;
  chargeback?: ChargebackOptions;
  io: CommandIo;
}): Promise<ServedManifests> {
  const { io } = options;
  const proxy = await startProxy({
    ...options.limits,
    port: options.port,
    metricsPort: options.metricsPort,
    host: options.host,
    logPrompts: options.logPrompts === true,
    ...(options.state === undefined ? {} : { state: options.state }),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.quiet ? { log: () => {} } : {}),
    tracing: options.tracing,
    ...(options.chargeback === undefined ? {} : { chargeback: options.chargeback }),
  });
  const reload = async (): Promise<boolean> => {
    const loaded = await loadManifests([options.manifests]);
    const secrets = new Map(loaded.secretsValues);
    const snapshot = withEnvironmentSecrets(loaded.snapshot, secrets);
    const result = compile(snapshot, proxy.ctx.config.current?.config);
    const problems = [
      ...loaded.problems.filter((p) => p.severity === 'error').map(formatProblem),
      ...statusProblems(result.statuses),
    ];
    for (const line of problems) io.stderr(`switchyard serve: ${line}`);
    if (!isUsable(result.config)) {
      io.stderr(unusable(options.manifests, proxy.ctx.config.current, problems.length));
      return false;
    }
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

/** Conditions that are not True for a reason of their own (not a consequence of another). */
function statusProblems(statuses: CompileResult['statuses']): string[] {
  const problems: string[] = [];
  for (const status of statuses) {
    for (const c of status.conditions) {
      if (c.status !== 'True' && c.reason !== 'NotAccepted' && c.reason !== 'RefsNotResolved') {
        problems.push(
          `${status.kind} ${status.namespace}/${status.name}: ${c.type}=False ${c.reason}: ${c.message}`,
        );
      }
    }
  }
  return problems;
}

/** The line saying that the folder has nothing to serve, and what the proxy does about it. */
function unusable(folder: string, current: RouteIndex | undefined, problems: number): string {
  if (current !== undefined)
    return `switchyard serve: ${folder} now defines no usable ModelProvider or RoutePolicy; keeping config ${current.config.configHash.slice(0, 12)}`;
  return `switchyard serve: not ready: ${folder} defines no usable ModelProvider or RoutePolicy${problems > 0 ? ' (see the problems above)' : ''}; fix the manifests, the folder is watched`;
}

/**
 * A config worth serving: some model a client can reach, directly or through a policy. An empty
 * or wholly broken folder is not (the proxy stays not ready, or keeps its last good config).
 */
function isUsable(config: RouterConfig): boolean {
  return config.routes.length > 0 || config.providers.some((p) => p.models.length > 0);
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
