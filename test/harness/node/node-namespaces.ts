// The namespaces the test node lives in: network (its own loopback, bridge, pod veths, iptables
// and conntrack), mount (tmpfs over /run, /var/lib/kubelet, /var/lib/cni and /var/log, a sysfs of
// its own network), PID, UTS and IPC. The first process of the PID namespace is the pause
// binary; killing it makes the kernel kill every other process of the node (containerd, shims,
// containers, kubelet, kube-proxy, CoreDNS), and with the last of them the network and mount
// namespaces vanish, taking every interface, rule and mount along. Nothing is left on the host.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, startProcess, waitUntil } from '../processes.ts';
import type { CommandResult, ManagedProcess, RunCommandOptions } from '../processes.ts';
import { goBinary } from '../tools.ts';

/** The node's namespaces and how to run commands in them. */
export interface NodeNamespaces {
  /** PID (as the host sees it) of the first process of the node's PID namespace. */
  readonly initPid: number;
  /** `nsenter …` arguments that run the rest of the command line inside the node. */
  readonly enter: readonly string[];
  /** Runs a command inside the node (never throws on a non-zero exit). */
  run(
    command: string,
    args: readonly string[],
    options?: RunCommandOptions,
  ): Promise<CommandResult>;
  /** Starts a long-running process inside the node, logging to `logFile`. */
  start(name: string, command: string, args: readonly string[], logFile: string): ManagedProcess;
  /** Kills every process of the node and waits until the namespaces are gone. */
  stop(): Promise<void>;
}

// Each shared folder the node's components write to by fixed path gets a tmpfs of its own, so
// nothing they write lands on the host: kubelet's device-plugin and pod-resources sockets live
// under /var/lib/kubelet whatever --root-dir says, libcni caches results in /var/lib/cni,
// containerd's shims and runc keep state under /run, and kubelet writes /var/log/pods and
// /var/log/containers. The sysfs is remounted so that it shows this network namespace's devices
// (the bridge plugin writes /sys/class/net/…/brport); the cgroup mounts are carried over.
function setupScript(dir: string, nodeIp: string): string {
  const keep = join(dir, 'cgroup-mounts');
  return [
    'set -e',
    'ip link set lo up',
    `ip addr add ${nodeIp}/32 dev lo`,
    `mkdir -p ${keep} && mount --rbind /sys/fs/cgroup ${keep}`,
    'mount -t sysfs sysfs /sys',
    `mount --rbind ${keep} /sys/fs/cgroup`,
    ...['/run', '/var/lib/kubelet', '/var/lib/cni', '/var/log'].map(
      (path) => `mkdir -p ${path} && mount -t tmpfs -o mode=0755 tmpfs ${path}`,
    ),
  ].join('\n');
}

function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const first = Number(children.split(' ')[0]);
    return Number.isInteger(first) && first > 0 ? first : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the node's namespaces, with `nodeIp` on the node's loopback. */
export async function createNodeNamespaces(dir: string, nodeIp: string): Promise<NodeNamespaces> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  // --kill-child: should unshare itself be killed (the watchdog does that when the test process
  // dies), the kernel kills the namespace's first process, and with it the whole node.
  const holder = startProcess(
    'node-namespaces',
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      '--net',
      '--mount',
      '--uts',
      '--ipc',
      '--propagation',
      'private',
      '--kill-child',
      goBinary('pause'),
    ],
    { logFile: join(dir, 'logs', 'node-namespaces.log') },
  );
  const unsharePid = holder.child.pid ?? 0;
  const initPid = await waitUntil(
    'the node namespace to start',
    () => Promise.resolve(childOf(unsharePid)),
    {
      timeoutMs: 10_000,
      intervalMs: 10,
      processes: [holder],
    },
  );
  const enter = ['-t', String(initPid), '--net', '--mount', '--pid', '--uts', '--ipc', '--'];
  const run = (command: string, args: readonly string[], options: RunCommandOptions = {}) =>
    runCommand('nsenter', [...enter, command, ...args], options);
  const setup = await run('sh', ['-c', setupScript(dir, nodeIp)]);
  if (setup.code !== 0) {
    await holder.stop();
    throw new Error(`setting up the node's namespaces failed:\n${setup.stderr}${setup.stdout}`);
  }
  return {
    initPid,
    enter: ['nsenter', ...enter],
    run,
    start: (name, command, args, logFile) =>
      startProcess(name, 'nsenter', [...enter, command, ...args], { logFile }),
    async stop() {
      try {
        // SIGKILL to the namespace's init kills every process in it; unshare then reaps it.
        process.kill(initPid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await holder.exited;
    },
  };
}
