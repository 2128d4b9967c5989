// Shared set-up of the operator suites: one real control plane per test file with the CRDs and
// the RBAC of deploy/rbac applied, service-account kubeconfigs for the operator and the proxies,
// and helpers that read what the operator published.
import { globSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import type { RouterConfig } from '../../core/config/router-config.ts';
import { startOperator, type OperatorOptions, type RunningOperator } from '../../operator/main.ts';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { repoRoot } from '../harness/tools.ts';

/** The namespace the operator publishes to in these tests, as in deploy/rbac. */
export const SYSTEM_NAMESPACE = 'switchyard-system';

/** The CRD manifests users apply. */
export function crdPaths(): string[] {
  return globSync(join(repoRoot, 'crds', '*.yaml')).sort();
}

/** A control plane ready for the operator, with service-account credentials. */
export interface OperatorCluster {
  cp: ControlPlane;
  /** Kubeconfig with a token of the switchyard-operator service account. */
  operatorKubeconfig: string;
  /** Kubeconfig with a token of the switchyard-proxy service account. */
  proxyKubeconfig: string;
}

/**
 * Starts a control plane, applies the CRDs (all of crds/ unless `crds` names some) and
 * deploy/rbac, and mints service-account tokens.
 */
export async function startOperatorCluster(
  crds: readonly string[] = crdPaths(),
): Promise<OperatorCluster> {
  const cp = await startControlPlane({ crds: [...crds] });
  try {
    await cp.kubectlOk(['create', 'namespace', SYSTEM_NAMESPACE]);
    await cp.kubectlOk([
      'apply',
      '-f',
      join(repoRoot, 'deploy/rbac/operator.yaml'),
      '-f',
      join(repoRoot, 'deploy/rbac/proxy.yaml'),
    ]);
    const token = async (account: string): Promise<string> =>
      (
        await cp.kubectlOk(['create', 'token', account, '-n', SYSTEM_NAMESPACE, '--duration=2h'])
      ).trim();
    return {
      cp,
      operatorKubeconfig: cp.kubeconfigFor(await token('switchyard-operator'), 'operator'),
      proxyKubeconfig: cp.kubeconfigFor(await token('switchyard-proxy'), 'proxy'),
    };
  } catch (error) {
    await cp.stop();
    throw error;
  }
}

/** A copy of a kubeconfig that reaches the API server through `127.0.0.1:port` (a TcpGate). */
export function kubeconfigVia(cp: ControlPlane, kubeconfigPath: string, port: number): string {
  const kubeconfig = JSON.parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string } }[];
  };
  kubeconfig.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`;
  const path = `${kubeconfigPath}-via-${port}`;
  writeFileSync(path, JSON.stringify(kubeconfig), { mode: 0o600 });
  return path;
}

/** The API server's port. */
export function apiPort(cp: ControlPlane): number {
  return Number(new URL(cp.server).port);
}

/** Timings short enough for tests: sub-second leases, fast retries. */
export const FAST_OPERATOR: Partial<OperatorOptions> = {
  leaseDurationMs: 2000,
  renewDeadlineMs: 1500,
  retryPeriodMs: 250,
  informers: { initialBackoffMs: 100, maxBackoffMs: 1000 },
};

/** Starts an operator as the switchyard-operator service account, quiet unless DEBUG is set. */
export function startTestOperator(
  cluster: OperatorCluster,
  options: Partial<OperatorOptions> = {},
): Promise<RunningOperator> {
  return startOperator({
    kubeconfig: cluster.operatorKubeconfig,
    namespace: SYSTEM_NAMESPACE,
    port: 0,
    host: '127.0.0.1',
    logLevel: process.env['SWITCHYARD_TEST_LOG'] === '1' ? 'debug' : 'silent',
    ...FAST_OPERATOR,
    ...options,
  });
}

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await delay(intervalMs);
  }
}

/** What the operator published, as the API server holds it. */
export interface Published {
  resourceVersion: string;
  annotations: Record<string, string>;
  config: RouterConfig;
  /** The ConfigMap's JSON as stored, to search for leaked values. */
  raw: string;
  compressed: boolean;
}

/** Reads the published ConfigMap; undefined when it does not exist yet. */
export async function readPublished(cp: ControlPlane): Promise<Published | undefined> {
  const res = await cp.request(
    'GET',
    `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps/switchyard-config`,
  );
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET switchyard-config: ${res.status} ${res.body}`);
  const object = res.json as {
    metadata: { resourceVersion: string; annotations?: Record<string, string> };
    data?: Record<string, string>;
    binaryData?: Record<string, string>;
  };
  const gz = object.binaryData?.['config.json.gz'];
  const text =
    gz === undefined
      ? (object.data?.['config.json'] ?? '')
      : gunzipSync(Buffer.from(gz, 'base64')).toString('utf8');
  return {
    resourceVersion: object.metadata.resourceVersion,
    annotations: object.metadata.annotations ?? {},
    config: JSON.parse(text) as RouterConfig,
    raw: res.body + text,
    compressed: gz !== undefined,
  };
}

/** A custom resource as read from the API server. */
export interface StoredObject {
  metadata: { name: string; namespace: string; generation: number; resourceVersion: string };
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime: string;
      observedGeneration?: number;
    }[];
  };
}

/** Reads one ModelProvider or RoutePolicy. */
export async function readObject(
  cp: ControlPlane,
  plural: 'modelproviders' | 'routepolicies',
  name: string,
  namespace = 'default',
): Promise<StoredObject | undefined> {
  const res = await cp.request(
    'GET',
    `/apis/switchyard.dev/v1alpha1/namespaces/${namespace}/${plural}/${name}`,
  );
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET ${plural}/${name}: ${res.status} ${res.body}`);
  return res.json as StoredObject;
}

/** The condition of one type, if the object has it. */
export function conditionOf(
  object: StoredObject | undefined,
  type: string,
): NonNullable<NonNullable<StoredObject['status']>['conditions']>[number] | undefined {
  return object?.status?.conditions?.find((condition) => condition.type === type);
}

/** Applies YAML text with kubectl (server-side, so large batches need no annotation). */
export async function applyYaml(cp: ControlPlane, yaml: string): Promise<void> {
  await cp.kubectlOk(['apply', '--server-side', '-f', '-'], { input: yaml });
}

/** The example manifests pointed at loopback fake providers (demo). */
export function localExamples(): string {
  return globSync(join(repoRoot, 'demo/*.yaml'))
    .sort()
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n---\n');
}
