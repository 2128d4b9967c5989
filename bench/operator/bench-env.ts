// The system under measurement: a real control plane (etcd + kube-apiserver from the test
// harness, CRDs and deploy/rbac applied), the operator as a child process with the
// switchyard-operator service account, two proxies in cluster mode as child processes with the
// switchyard-proxy service account, one loopback fake provider, and the benchmark's own bare
// watches on the RoutePolicies it edits and on the published ConfigMap.
import { gunzipSync } from 'node:zlib';
import { KubeClient, loadKubeConfig } from '../../operator/kube/kube-client.ts';
import { startFakeProvider, type FakeProvider } from '../../test/fakes/index.ts';
import {
  localExamples,
  startOperatorCluster,
  SYSTEM_NAMESPACE,
  type OperatorCluster,
} from '../../test/operator/operator-cluster.ts';
import { watchApi, type ApiWatch, type WatchedObject } from './api-watch.ts';
import { Child } from './children.ts';
import type { Cleanup } from './cleanup.ts';
import { BENCH_NAMESPACE, smallSetup } from './manifests.ts';
import type {
  ChildArguments,
  OperatorCommand,
  OperatorMessage,
  ProxyCommand,
  ProxyMessage,
} from './messages.ts';

/** An operator replica in its own process. */
export type OperatorChild = Child<OperatorCommand, OperatorMessage>;

/** A proxy in its own process and its API base URL (`http://127.0.0.1:PORT/v1`). */
export interface ProxyChild {
  child: Child<ProxyCommand, ProxyMessage>;
  url: string;
}

/** Everything the measurements use. */
export interface BenchEnv {
  cluster: OperatorCluster;
  /** Admin client for creating and patching objects. */
  admin: KubeClient;
  fake: FakeProvider;
  /** Bare watch on the RoutePolicies of the bench namespace. */
  policies: ApiWatch;
  /** Bare watch on the published ConfigMap. */
  configMap: ApiWatch;
  /** The running operator replica (the scale measurement replaces it). */
  operator: OperatorChild;
  proxies: ProxyChild[];
  /** ModelProviders and RoutePolicies of the small set-up (the examples and the edited policy). */
  initialObjects: number;
}

/** Memory samples per second the operator sends unasked. */
const SAMPLE_EVERY_MS = 250;

/** Starts an operator replica as a child process and waits until it runs. */
export async function startOperatorChild(
  cluster: OperatorCluster,
  name: string,
): Promise<OperatorChild> {
  const args: ChildArguments = {
    kubeconfig: cluster.operatorKubeconfig,
    namespace: SYSTEM_NAMESPACE,
    sampleEveryMs: SAMPLE_EVERY_MS,
  };
  const child: OperatorChild = new Child(name, './operator-process.ts', args, ['--expose-gc']);
  await child.next((m): m is Extract<OperatorMessage, { type: 'started' }> => m.type === 'started');
  return child;
}

/** Stops an operator replica; it releases its Lease so a successor leads at once. */
export async function stopOperatorChild(child: OperatorChild): Promise<void> {
  await child.stop({ type: 'stop' });
}

async function startProxyChild(cluster: OperatorCluster, name: string): Promise<ProxyChild> {
  const args: ChildArguments = { kubeconfig: cluster.proxyKubeconfig, namespace: SYSTEM_NAMESPACE };
  const child = new Child<ProxyCommand, ProxyMessage>(name, './proxy-process.ts', args, [
    '--expose-gc',
  ]);
  const listening = await child.next(
    (m): m is Extract<ProxyMessage, { type: 'listening' }> => m.type === 'listening',
  );
  return { child, url: listening.url };
}

/** The RouterConfig JSON text of a published ConfigMap (gunzipped when stored compressed). */
export function publishedText(object: WatchedObject): string {
  const gz = object.binaryData?.['config.json.gz'];
  if (gz !== undefined) return gunzipSync(Buffer.from(gz, 'base64')).toString('utf8');
  return object.data?.['config.json'] ?? '';
}

/** Starts everything; each part registers its teardown with `cleanup` as soon as it runs. */
export async function startBenchEnv(cleanup: Cleanup): Promise<BenchEnv> {
  const cluster = await startOperatorCluster();
  cleanup.defer('control plane', () => cluster.cp.stop());
  const admin = new KubeClient(loadKubeConfig(cluster.cp.kubeconfigPath));
  cleanup.defer('admin client', () => admin.close());
  const fake = await startFakeProvider({
    api: 'openai',
    name: 'bench-fake',
    maxRecordedRequests: 0,
  });
  cleanup.defer('fake provider', () => fake.close());
  // The examples (demo/, loopback providers) in `default`, and the edited policy in `bench`.
  await cluster.cp.kubectlOk(['apply', '-f', '-'], { input: localExamples() });
  await cluster.cp.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(smallSetup(fake.url)) });
  const initialObjects = (
    await cluster.cp.kubectlOk(['get', 'modelproviders,routepolicies', '-A', '-o', 'name'])
  )
    .split('\n')
    .filter((line) => line !== '').length;

  const policies = await watchApi(
    cluster.cp,
    `/apis/switchyard.dev/v1alpha1/namespaces/${BENCH_NAMESPACE}/routepolicies`,
  );
  cleanup.defer('policy watch', () => policies.stop());
  const configMap = await watchApi(
    cluster.cp,
    `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps`,
    'fieldSelector=metadata.name%3Dswitchyard-config',
  );
  cleanup.defer('config map watch', () => configMap.stop());

  const proxies: ProxyChild[] = [];
  cleanup.defer('proxies', async () => {
    await Promise.all(proxies.map(({ child }) => child.stop({ type: 'stop' }, 3000)));
  });
  for (const name of ['proxy-a', 'proxy-b']) proxies.push(await startProxyChild(cluster, name));

  const env: BenchEnv = {
    cluster,
    admin,
    fake,
    policies,
    configMap,
    operator: await startOperatorChild(cluster, 'operator-1'),
    proxies,
    initialObjects,
  };
  cleanup.defer('operator', () => stopOperatorChild(env.operator));
  await Promise.all(
    proxies.map(({ child }) =>
      child.next(
        (m): m is Extract<ProxyMessage, { type: 'ready' }> => m.type === 'ready',
        0,
        60_000,
      ),
    ),
  );
  return env;
}
