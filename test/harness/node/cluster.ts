// A single-node Kubernetes cluster for the end-to-end suite: the harness's control plane (etcd,
// kube-apiserver, kube-controller-manager) plus kube-scheduler on the host's loopback, and a node
// — containerd with runc, bridge CNI, kubelet, kube-proxy (iptables) and CoreDNS — inside
// namespaces of its own (node-namespaces.ts), with images imported into containerd directly.
//
//   host loopback                         │ node network namespace
//   kube-apiserver 127.0.0.1:P ◄─ relay ◄─┼─ relay 0.0.0.0:P ◄─ kubelet, kube-proxy, CoreDNS,
//                                         │                      pods (via Service 10.0.0.1:443)
//   kube-apiserver egress (CONNECT) ──────┼─► relay ─► kubelet :10250 (logs, exec), pods
//
// The relays talk over Unix sockets in the test's folder: the one path across the namespaces.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane } from '../control-plane.ts';
import type { ControlPlane } from '../control-plane.ts';
import { freePort } from '../ports.ts';
import { makeTempDir, removeTempDir, startProcess, tailFile, waitUntil } from '../processes.ts';
import type { ManagedProcess } from '../processes.ts';
import { goBinary, repoRoot } from '../tools.ts';
import { createCgroupRoot, removeLeftoverCgroups } from './cgroups.ts';
import type { CgroupRoot } from './cgroups.ts';
import type { ImageArchive } from './images.ts';
import { pauseImage, pauseReference } from './images.ts';
import { cniConfig, containerdConfig, corefile, egressSelectorConfig } from './node-config.ts';
import { kubeProxyConfig, kubeletConfig, nodeNetwork } from './node-config.ts';
import type { NodePaths } from './node-config.ts';
import { createNodeNamespaces } from './node-namespaces.ts';
import type { NodeNamespaces } from './node-namespaces.ts';

/** Options for startCluster. */
export interface ClusterOptions {
  /** Image archives to import into the node's containerd (the pause image is always added). */
  readonly images: readonly ImageArchive[];
  readonly timeoutMs?: number;
}

/** A running single-node cluster. */
export interface Cluster {
  /** The control plane: kubectl, helm environment, API requests, as in every other suite. */
  readonly cp: ControlPlane;
  /** The node's namespaces, to run commands inside the node (iptables, ctr, …). */
  readonly node: NodeNamespaces;
  /** Log files by component. */
  readonly logs: Readonly<Record<string, string>>;
  /** Stops the node, then the control plane, and removes every folder and cgroup. */
  stop(): Promise<void>;
}

/** The node's paths and the configuration files written for its components. */
interface NodeFiles extends NodePaths {
  readonly containerdConfig: string;
  readonly kubeletConfig: string;
  readonly kubeProxyConfig: string;
  readonly corefile: string;
}

const relayScript = join(repoRoot, 'test', 'harness', 'node', 'relay.ts');

function waitForLine(process: ManagedProcess, line: string, timeoutMs: number): Promise<boolean> {
  return waitUntil(
    `${process.name} to print "${line}"`,
    () => Promise.resolve(tailFile(process.logFile, 50).split('\n').includes(line) || undefined),
    { timeoutMs, intervalMs: 20, processes: [process] },
  );
}

function writeNodeFiles(dir: string, cp: ControlPlane, cgroup: CgroupRoot): NodeFiles {
  const paths = {
    dir,
    containerdSocket: join(dir, 'containerd.sock'),
    cniConfDir: join(dir, 'cni'),
    kubeconfig: cp.kubeconfigPath,
    resolvConf: join(dir, 'resolv.conf'),
    containerdConfig: join(dir, 'containerd.toml'),
    kubeletConfig: join(dir, 'kubelet.json'),
    kubeProxyConfig: join(dir, 'kube-proxy.json'),
    corefile: join(dir, 'Corefile'),
  };
  mkdirSync(paths.cniConfDir, { recursive: true });
  // Pods resolve through CoreDNS only; the host's resolvers are not theirs to reach.
  writeFileSync(paths.resolvConf, '');
  writeFileSync(paths.containerdConfig, containerdConfig(paths, pauseReference));
  writeFileSync(join(paths.cniConfDir, '10-switchyard-e2e.conflist'), cniConfig());
  writeFileSync(paths.kubeletConfig, kubeletConfig(paths, cgroup.path));
  writeFileSync(paths.kubeProxyConfig, kubeProxyConfig(paths));
  writeFileSync(paths.corefile, corefile(paths));
  return paths;
}

/**
 * Endpoints for the two Services without selectors: `kubernetes` (the API server, reached in the
 * node through the relay; the harness's API server runs --endpoint-reconciler-type=none) and
 * `kube-dns` (CoreDNS, a process on the node).
 */
function systemServices(apiPort: number): string {
  const slice = (namespace: string, service: string, ports: object[]): object => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: service, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [nodeNetwork.nodeIp], conditions: { ready: true } }],
    ports,
  });
  const items = [
    slice('default', 'kubernetes', [{ name: 'https', port: apiPort, protocol: 'TCP' }]),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        clusterIP: nodeNetwork.dnsServiceIp,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    },
    slice('kube-system', 'kube-dns', [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ]),
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

interface Started {
  readonly processes: ManagedProcess[];
  readonly logs: Record<string, string>;
}

function track(started: Started, process: ManagedProcess): ManagedProcess {
  started.processes.push(process);
  started.logs[process.name] = process.logFile;
  return process;
}

async function startRelays(
  started: Started,
  node: NodeNamespaces,
  dir: string,
  apiPort: number,
  timeoutMs: number,
): Promise<void> {
  const apiSocket = join(dir, 'api.sock');
  const host = track(
    started,
    startProcess(
      'relay-host',
      process.execPath,
      [relayScript, `unix:${apiSocket}=tcp:127.0.0.1:${apiPort}`],
      {
        logFile: join(dir, 'logs', 'relay-host.log'),
      },
    ),
  );
  const inside = track(
    started,
    node.start(
      'relay-node',
      process.execPath,
      [
        relayScript,
        `tcp:0.0.0.0:${apiPort}=unix:${apiSocket}`,
        `unix:${join(dir, 'egress.sock')}=connect`,
      ],
      join(dir, 'logs', 'relay-node.log'),
    ),
  );
  await Promise.all([
    waitForLine(host, 'ready', timeoutMs),
    waitForLine(inside, 'ready', timeoutMs),
  ]);
}

async function startContainerd(
  started: Started,
  node: NodeNamespaces,
  paths: NodeFiles,
  images: readonly ImageArchive[],
  timeoutMs: number,
): Promise<void> {
  const containerd = track(
    started,
    node.start(
      'containerd',
      'containerd',
      ['--config', paths.containerdConfig],
      join(paths.dir, 'logs', 'containerd.log'),
    ),
  );
  const ctr = (args: readonly string[]) =>
    node.run('ctr', ['--address', paths.containerdSocket, '--namespace', 'k8s.io', ...args], {
      timeoutMs,
    });
  await waitUntil(
    'containerd to serve',
    async () => ((await ctr(['version'])).code === 0 ? true : undefined),
    {
      timeoutMs,
      intervalMs: 100,
      processes: [containerd],
    },
  );
  for (const image of images) {
    const imported = await ctr(['images', 'import', image.archive]);
    if (imported.code !== 0)
      throw new Error(`ctr images import ${image.archive}: ${imported.stderr}`);
  }
}

function startNodeAgents(
  started: Started,
  node: NodeNamespaces,
  paths: NodeFiles,
): ManagedProcess[] {
  const log = (name: string): string => join(paths.dir, 'logs', `${name}.log`);
  return [
    track(
      started,
      node.start(
        'kubelet',
        goBinary('kubelet'),
        [
          `--config=${paths.kubeletConfig}`,
          `--kubeconfig=${paths.kubeconfig}`,
          `--node-ip=${nodeNetwork.nodeIp}`,
          `--hostname-override=${nodeNetwork.nodeName}`,
          '--root-dir=/var/lib/kubelet',
          `--cert-dir=${join(paths.dir, 'kubelet-pki')}`,
          '--v=1',
        ],
        log('kubelet'),
      ),
    ),
    track(
      started,
      node.start(
        'kube-proxy',
        goBinary('kube-proxy'),
        [`--config=${paths.kubeProxyConfig}`],
        log('kube-proxy'),
      ),
    ),
    track(
      started,
      node.start('coredns', goBinary('coredns'), ['-conf', paths.corefile], log('coredns')),
    ),
  ];
}

async function waitForNode(
  cp: ControlPlane,
  node: NodeNamespaces,
  watched: ManagedProcess[],
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    `node ${nodeNetwork.nodeName} to be Ready`,
    async () => {
      const res = await cp.request('GET', `/api/v1/nodes/${nodeNetwork.nodeName}`);
      const conditions = (
        res.json as { status?: { conditions?: { type: string; status: string }[] } } | undefined
      )?.status?.conditions;
      return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
        ? true
        : undefined;
    },
    { timeoutMs, intervalMs: 250, processes: watched },
  );
  // CoreDNS answers once its informers have synced; its ready endpoint is only on the node.
  const check = `fetch('http://127.0.0.1:8181/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  await waitUntil(
    'CoreDNS to be ready',
    async () => ((await node.run(process.execPath, ['-e', check])).code === 0 ? true : undefined),
    { timeoutMs, intervalMs: 250, processes: watched },
  );
}

/** Starts the control plane and the node, imports the images and waits until the node is Ready. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  await removeLeftoverCgroups();
  const dir = makeTempDir('node');
  mkdirSync(join(dir, 'logs'));
  const egressFile = join(dir, 'egress-selector.json');
  writeFileSync(egressFile, egressSelectorConfig(join(dir, 'egress.sock')));
  const cp = await startControlPlane({
    timeoutMs,
    apiServerArgs: [
      `--egress-selector-config-file=${egressFile}`,
      // The node's hostname means nothing to the relay that dials it; its address does.
      '--kubelet-preferred-address-types=InternalIP',
      // As in any cluster: pods get their service-account token through the admission plugin.
      '--disable-admission-plugins=',
    ],
  });
  const started: Started = { processes: [], logs: { ...cp.logs } };
  let node: NodeNamespaces | undefined;
  let cgroup: CgroupRoot | undefined;
  const stop = async (): Promise<void> => {
    await node?.stop();
    await Promise.all(started.processes.map((process) => process.stop()));
    await cgroup?.remove();
    await cp.stop();
    removeTempDir(dir);
  };
  try {
    const apiPort = Number(new URL(cp.server).port);
    node = await createNodeNamespaces(dir, nodeNetwork.nodeIp);
    cgroup = createCgroupRoot();
    await startRelays(started, node, dir, apiPort, timeoutMs);
    await cp.startControllerManager();
    const schedulerPort = await freePort();
    track(
      started,
      startProcess(
        'kube-scheduler',
        goBinary('kube-scheduler'),
        [
          `--kubeconfig=${cp.kubeconfigPath}`,
          `--authentication-kubeconfig=${cp.kubeconfigPath}`,
          `--authorization-kubeconfig=${cp.kubeconfigPath}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${schedulerPort}`,
        ],
        { logFile: join(dir, 'logs', 'kube-scheduler.log') },
      ),
    );
    await cp.kubectlOk(['apply', '--server-side', '-f', '-'], { input: systemServices(apiPort) });
    const paths = writeNodeFiles(dir, cp, cgroup);
    await startContainerd(started, node, paths, [await pauseImage(), ...options.images], timeoutMs);
    const agents = startNodeAgents(started, node, paths);
    await waitForNode(cp, node, agents, timeoutMs);
  } catch (error) {
    const logs = Object.entries(started.logs)
      .filter(([, file]) => existsSync(file))
      .map(([name, file]) => `--- ${name} (${file}):\n${tailFile(file, 15)}`)
      .join('\n');
    await stop();
    throw new Error(
      `the single-node cluster failed to start: ${(error as Error).message}\n${logs}`,
      { cause: error },
    );
  }
  return { cp, node, logs: started.logs, stop };
}

/** Reads a log of the cluster (for assertions and failure messages). */
export function readLog(cluster: Cluster, name: string): string {
  const file = cluster.logs[name];
  return file === undefined ? '' : readFileSync(file, 'utf8');
}
