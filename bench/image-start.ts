// `node bench/image-start.ts [--rounds 7]`: how fast the image built by `npm run image` starts
// under containerd + runc (the runtime of the end-to-end suite's node, in namespaces of its own),
// against a bare `node -e 0` in the same image measured in the same run:
//   - bare:   `ctr run` of `node -e 0` until it exits (runc and Node's own start)
//   - help:   `ctr run` of the image's default command (`switchyard --help`) until it exits
//   - ready:  `switchyard serve --manifests demo/` from process start to its first 200 on /readyz,
//             timed inside the container, and from `ctr run` to that moment
// Also prints the image's size. Needs root (it starts a containerd).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCgroupRoot } from '../test/harness/node/cgroups.ts';
import { switchyardImage } from '../test/harness/node/images.ts';
import { containerdConfig, nodeNetwork } from '../test/harness/node/node-config.ts';
import { createNodeNamespaces } from '../test/harness/node/node-namespaces.ts';
import { makeTempDir, removeTempDir, waitUntil } from '../test/harness/processes.ts';
import { repoRoot } from '../test/harness/tools.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number(values.rounds);

// Runs in the container: starts the proxy, polls /readyz every 2 ms, prints the time to ready.
const readyProbe = `
const { spawn } = require('node:child_process');
const started = performance.now();
const child = spawn('/usr/local/bin/node', ['/app/dist/cli/main.js', 'serve', '--manifests', '/demo', '--port', '8080', '--metrics-port', '9090', '--quiet'], { stdio: 'ignore' });
const poll = () => fetch('http://127.0.0.1:8080/readyz').then((r) => r.status === 200 ? done() : again(), again);
const again = () => setTimeout(poll, 2);
const done = () => { console.log('READY ' + (performance.now() - started).toFixed(1)); child.kill(); process.exit(0); };
poll();
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const image = await switchyardImage();
const dir = makeTempDir('image-bench');
const node = await createNodeNamespaces(dir, nodeNetwork.nodeIp);
const cgroup = createCgroupRoot();
try {
  const socket = join(dir, 'containerd.sock');
  const config = join(dir, 'containerd.toml');
  mkdirSync(join(dir, 'cni'));
  writeFileSync(
    config,
    containerdConfig(
      {
        dir,
        containerdSocket: socket,
        cniConfDir: join(dir, 'cni'),
        kubeconfig: '',
        resolvConf: '',
      },
      'unused',
    ),
  );
  const containerd = node.start(
    'containerd',
    'containerd',
    ['--config', config],
    join(dir, 'logs', 'containerd.log'),
  );
  const ctr = (args: readonly string[]) =>
    node.run('ctr', ['--address', socket, '--namespace', 'bench', ...args], { timeoutMs: 120_000 });
  await waitUntil(
    'containerd',
    async () => ((await ctr(['version'])).code === 0 ? true : undefined),
    {
      timeoutMs: 30_000,
      processes: [containerd],
    },
  );
  const imported = await ctr(['images', 'import', image.archive]);
  if (imported.code !== 0) throw new Error(imported.stderr);

  let n = 0;
  const run = async (
    extra: readonly string[],
    command: readonly string[],
  ): Promise<{ ms: number; out: string }> => {
    n++;
    const started = performance.now();
    const result = await ctr([
      'run',
      '--rm',
      '--read-only',
      '--cgroup',
      `${cgroup.path}/bench-${n}`,
      ...extra,
      image.reference,
      `bench-${n}`,
      ...command,
    ]);
    const ms = performance.now() - started;
    if (result.code !== 0) throw new Error(`ctr run failed: ${result.stderr}`);
    return { ms, out: result.stdout };
  };
  const demo = ['--mount', `type=bind,src=${join(repoRoot, 'demo')},dst=/demo,options=rbind:ro`];
  const bare: number[] = [];
  const help: number[] = [];
  const readyInside: number[] = [];
  const readyTotal: number[] = [];
  for (let round = 0; round < rounds; round++) {
    bare.push((await run([], ['/usr/local/bin/node', '-e', '0'])).ms);
    help.push((await run([], [])).ms);
    const ready = await run(demo, ['/usr/local/bin/node', '-e', readyProbe]);
    const inside = Number(/READY (\d+\.\d+)/.exec(ready.out)?.[1]);
    readyInside.push(inside);
    readyTotal.push(ready.ms);
  }
  const archiveMb = statSync(image.archive).size / 1e6;
  console.log(`image ${image.reference}: archive ${archiveMb.toFixed(1)} MB`);
  console.log(`medians of ${rounds} rounds (ms):`);
  console.log(`  ctr run node -e 0 (baseline)        ${median(bare).toFixed(0)}`);
  console.log(
    `  ctr run switchyard --help           ${median(help).toFixed(0)}  (${(median(help) / median(bare)).toFixed(2)}× baseline)`,
  );
  console.log(`  serve: process start → /readyz 200  ${median(readyInside).toFixed(0)}`);
  console.log(
    `  serve: ctr run → /readyz 200        ${median(readyTotal).toFixed(0)}  (${(median(readyTotal) / median(bare)).toFixed(2)}× baseline, includes the probe's exit)`,
  );
} finally {
  await node.stop();
  await cgroup.remove();
  removeTempDir(dir);
}
