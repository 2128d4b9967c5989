// Configuration files of the test node's components. Addresses are fixed because they only
// exist inside the node's own network namespace: nothing outside it can see or collide with them.

/** The node's addresses and names. */
export const nodeNetwork = {
  /** The node's address (on its loopback): kubelet, the API relay and CoreDNS listen here. */
  nodeIp: '10.243.0.1',
  /** The bridge's subnet; host-local hands pod addresses out of it. */
  podSubnet: '10.244.0.0/24',
  /** Matches the control plane's --service-cluster-ip-range (10.0.0.0/24). */
  serviceSubnet: '10.0.0.0/24',
  /** The kube-dns Service's cluster IP, which kubelet writes into pods' resolv.conf. */
  dnsServiceIp: '10.0.0.10',
  clusterDomain: 'cluster.local',
  nodeName: 'switchyard-e2e',
  kubeletPort: 10250,
} as const;

/** Where the node's components keep things, all inside the test's folder or the node's tmpfs. */
export interface NodePaths {
  readonly dir: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly kubeconfig: string;
  readonly resolvConf: string;
}

/** containerd 1.6: CRI with runc on cgroupfs, CNI from Debian's plugins, the pause image we build. */
export function containerdConfig(paths: NodePaths, sandboxImage: string): string {
  return `version = 2
root = "${paths.dir}/containerd/root"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${paths.containerdSocket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${paths.dir}/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  disable_apparmor = true
  # The host's hugetlb controller is not mounted, and the node must not raise its own OOM score.
  disable_hugetlb_controller = true
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${paths.cniConfDir}"
`;
}

/** One bridge, host-local addresses, the node as every pod's gateway. */
export function cniConfig(): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'switchyard-e2e',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          // A pod that reaches itself through its Service comes back over its own bridge port.
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: nodeNetwork.podSubnet }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/**
 * The kubelet, told to accept cgroup v1 (failCgroupV1: false) and kept inside the test's cgroup
 * subtree. Eviction and image garbage collection are off: the images cannot be pulled again, and
 * a busy shared disk must not evict the suite's pods.
 */
export function kubeletConfig(paths: NodePaths, cgroupRoot: string): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: nodeNetwork.nodeIp,
      port: nodeNetwork.kubeletPort,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      // Only kube-apiserver reaches this port (through the egress relay), with no client
      // certificate; the node's own network is the boundary in a test cluster.
      authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
      authorization: { mode: 'AlwaysAllow' },
      cgroupDriver: 'cgroupfs',
      cgroupRoot,
      cgroupsPerQOS: true,
      failCgroupV1: false,
      failSwapOn: false,
      containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
      clusterDNS: [nodeNetwork.dnsServiceIp],
      clusterDomain: nodeNetwork.clusterDomain,
      resolvConf: paths.resolvConf,
      evictionHard: {
        'memory.available': '0%',
        'nodefs.available': '0%',
        'nodefs.inodesFree': '0%',
        'imagefs.available': '0%',
        'imagefs.inodesFree': '0%',
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      localStorageCapacityIsolation: false,
      nodeStatusUpdateFrequency: '4s',
      syncFrequency: '10s',
      shutdownGracePeriod: '0s',
      rotateCertificates: false,
    },
    null,
    2,
  )}\n`;
}

/** kube-proxy in iptables mode, touching no sysctl outside the node's network namespace. */
export function kubeProxyConfig(paths: NodePaths): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig: paths.kubeconfig },
      hostnameOverride: nodeNetwork.nodeName,
      mode: 'iptables',
      clusterCIDR: nodeNetwork.podSubnet,
      healthzBindAddress: '127.0.0.1:10256',
      metricsBindAddress: '127.0.0.1:10249',
      // 0: leave nf_conntrack_max and the conntrack timeouts alone (some are host-wide).
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      // Localhost NodePorts need route_localnet; nothing here uses NodePorts on 127.0.0.1.
      iptables: { localhostNodePorts: false, minSyncPeriod: '0s', syncPeriod: '30s' },
    },
    null,
    2,
  )}\n`;
}

/**
 * CoreDNS answers for the cluster domain only: there is no `forward`, so no query ever leaves
 * the node (the tests have no upstream DNS to reach, and must not try).
 */
export function corefile(paths: NodePaths): string {
  return `.:53 {
    errors
    ready 127.0.0.1:8181
    kubernetes ${nodeNetwork.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${paths.kubeconfig}
        pods insecure
        ttl 5
    }
    cache 5
}
`;
}

/**
 * kube-apiserver's egress selector: connections to nodes, pods and Services (kubelet logs and
 * exec, proxies) go through an HTTP CONNECT proxy on a Unix socket that relays inside the node,
 * the way konnectivity serves control planes that cannot route to their nodes.
 */
export function egressSelectorConfig(socket: string): string {
  return `${JSON.stringify(
    {
      apiVersion: 'apiserver.k8s.io/v1beta1',
      kind: 'EgressSelectorConfiguration',
      egressSelections: [
        {
          name: 'cluster',
          connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: socket } } },
        },
      ],
    },
    null,
    2,
  )}\n`;
}
