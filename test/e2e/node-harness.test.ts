// The single-node cluster harness itself: a pod runs and gets an address from the bridge, the
// node's interfaces and iptables rules never show on the host, and nothing is left behind —
// neither after stop() nor after a test process killed before it could stop its cluster.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroupHierarchies, removeLeftoverCgroups } from '../harness/node/cgroups.ts';
import { startCluster } from '../harness/node/cluster.ts';
import { pauseReference } from '../harness/node/images.ts';
import { nodeNetwork } from '../harness/node/node-config.ts';
import { isRunning, runCommand, waitUntil } from '../harness/processes.ts';
import { repoRoot } from '../harness/tools.ts';

/** The node cgroup folders of test process `pid`, in every hierarchy. */
function cgroupsOf(pid: number): string[] {
  return cgroupHierarchies().flatMap((hierarchy) =>
    readdirSync(hierarchy)
      .filter((name) => name.startsWith(`switchyard-node-${pid}-`))
      .map((name) => join(hierarchy, name)),
  );
}

async function hostInterfaces(): Promise<string> {
  return (await runCommand('ip', ['-o', 'link', 'show'])).stdout;
}

test('a pod runs on the node with a bridge address, and the node stays off the host', async () => {
  const hostLinks = await hostInterfaces();
  const cluster = await startCluster({ images: [] });
  const initPid = cluster.node.initPid;
  try {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper', namespace: 'default' },
      spec: {
        containers: [{ name: 'pause', image: pauseReference, imagePullPolicy: 'Never' }],
        terminationGracePeriodSeconds: 0,
      },
    };
    await cluster.cp.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await cluster.cp.kubectlOk(['wait', '--for=condition=Ready', 'pod/sleeper', '--timeout=120s'], {
      timeoutMs: 150_000,
    });
    const podIp = (
      await cluster.cp.kubectlOk(['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.podIP}'])
    ).trim();
    assert.match(podIp, /^10\.244\.0\.\d+$/);
    // The bridge, the pod's veth and kube-proxy's chains exist in the node, not on the host.
    const nodeLinks = (await cluster.node.run('ip', ['-o', 'link', 'show'])).stdout;
    assert.match(nodeLinks, /cni0/);
    const nodeRules = (await cluster.node.run('iptables', ['-t', 'nat', '-S'])).stdout;
    assert.match(nodeRules, /KUBE-SERVICES/);
    assert.match(nodeRules, new RegExp(nodeNetwork.dnsServiceIp.replaceAll('.', '\\.')));
    assert.equal(await hostInterfaces(), hostLinks);
    assert.ok(cgroupsOf(process.pid).length > 0, 'the node has its cgroup folders');
  } finally {
    await cluster.stop();
  }
  assert.equal(isRunning(initPid), false, 'the node is gone');
  assert.deepEqual(cgroupsOf(process.pid), []);
  assert.equal(await hostInterfaces(), hostLinks);
});

test('a test process killed with its cluster running leaves nothing the next start does not remove', async () => {
  // A child process starts a cluster and prints the node's first PID; then it is SIGKILLed, so
  // no hook of its own runs.
  const script = [
    `import { startCluster } from ${JSON.stringify(join(repoRoot, 'test/harness/node/cluster.ts'))};`,
    'const cluster = await startCluster({ images: [] });',
    'console.log(JSON.stringify({ initPid: cluster.node.initPid }));',
    'setInterval(() => {}, 1 << 30);',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const { initPid } = await waitUntil(
    'the child to start its cluster',
    () =>
      Promise.resolve(
        output.includes('\n') ? (JSON.parse(output) as { initPid: number }) : undefined,
      ),
    { timeoutMs: 180_000, intervalMs: 200 },
  );
  const childPid = child.pid ?? 0;
  assert.ok(cgroupsOf(childPid).length > 0);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  // The harness's watchdog kills `unshare`, whose --kill-child takes the node down.
  await waitUntil(
    'the killed run’s node to die',
    () => Promise.resolve(isRunning(initPid) ? undefined : true),
    {
      timeoutMs: 30_000,
      intervalMs: 100,
    },
  );
  await removeLeftoverCgroups();
  assert.deepEqual(cgroupsOf(childPid), []);
});
