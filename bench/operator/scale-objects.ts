// Creating the 1,000 custom resources of the scale set, and reading them back as the snapshot
// compile() gets in the operator.
import type { Snapshot } from '../../core/compile/snapshot.ts';
import type { KubeObject } from '../../operator/kube/kube-object.ts';
import { snapshotOf } from '../../operator/reconcile/snapshot-of.ts';
import type { ControlPlane } from '../../test/harness/control-plane.ts';
import type { BenchEnv } from './bench-env.ts';
import {
  scaleNamespaces,
  scalePolicy,
  scaleProvider,
  scaleSecret,
  type ScaleShape,
} from './manifests.ts';

/** Runs `tasks` with at most `concurrency` in flight. */
async function pool(tasks: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Creates the namespaces, Secrets, ModelProviders and RoutePolicies of `shape`. */
export async function createScaleObjects(env: BenchEnv, shape: ScaleShape): Promise<void> {
  const namespaces = scaleNamespaces(shape);
  const post = (path: string, body: object) => () =>
    env.admin.request({ method: 'POST', path, body });
  await pool(
    namespaces.map((name) =>
      post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    ),
    8,
  );
  const creations: (() => Promise<unknown>)[] = [];
  const crds = '/apis/switchyard.dev/v1alpha1/namespaces';
  for (const namespace of namespaces) {
    creations.push(post(`/api/v1/namespaces/${namespace}/secrets`, scaleSecret(namespace, shape)));
    for (let index = 0; index < shape.providersPerNamespace; index++) {
      creations.push(
        post(`${crds}/${namespace}/modelproviders`, scaleProvider(namespace, index, env.fake.url)),
      );
    }
    for (let index = 0; index < shape.policiesPerNamespace; index++) {
      creations.push(
        post(`${crds}/${namespace}/routepolicies`, scalePolicy(namespace, index, shape)),
      );
    }
  }
  await pool(creations, 16);
}

async function listItems(cp: ControlPlane, path: string): Promise<KubeObject[]> {
  const res = await cp.request('GET', path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body}`);
  return (res.json as { items: KubeObject[] }).items;
}

/**
 * The snapshot the operator compiles, built the operator's way (snapshotOf) from the objects as
 * the API server lists them: every ModelProvider and RoutePolicy, and every Secret's key names.
 */
export async function readSnapshot(cp: ControlPlane): Promise<Snapshot> {
  const crds = '/apis/switchyard.dev/v1alpha1';
  const [providers, policies, secrets] = await Promise.all([
    listItems(cp, `${crds}/modelproviders`),
    listItems(cp, `${crds}/routepolicies`),
    listItems(cp, '/api/v1/secrets'),
  ]);
  const entries = secrets.map((secret) => ({
    namespace: secret.metadata.namespace ?? '',
    name: secret.metadata.name,
    keys: Object.keys((secret['data'] ?? {}) as Record<string, string>).sort(),
    values: new Map<string, string>(),
  }));
  return snapshotOf(providers, policies, entries);
}
