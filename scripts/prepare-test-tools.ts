// Makes sure the real components used by the integration suites exist, printing one line per
// component. Idempotent and cached: Go binaries are built once into .cache/bin/<name>-<version>
// (versions come from tools/*/go.mod), Debian packages are installed once, so a warm machine only
// stats a few files here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { binDir, ensurePathDir, findOnPath, goBinaries, repoRoot } from '../test/harness/tools.ts';
import type { GoBinary } from '../test/harness/tools.ts';

// A command looked up on PATH (or a path, when it starts with /) → the package that brings it.
const debianPackages: Record<string, string> = {
  'redis-server': 'redis-server',
  prometheus: 'prometheus',
  promtool: 'prometheus',
};

const nodeDebianPackages: Record<string, string> = {
  containerd: 'containerd',
  ctr: 'containerd',
  'containerd-shim-runc-v2': 'containerd',
  runc: 'runc',
  iptables: 'iptables',
  '/usr/lib/cni/bridge': 'containernetworking-plugins',
};

function locate(name: string): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  return findOnPath(name);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function fail(message: string): never {
  console.error(`prepare-test-tools: ${message}`);
  process.exit(1);
}

function checkGo(): void {
  const version = spawnSync('go', ['version'], { encoding: 'utf8', env: goEnv() });
  if (version.error !== undefined || version.status !== 0) {
    fail(
      'Go is needed to build kube-apiserver, etcd, kubectl, helm and jaeger (go >= the `go` line of ' +
        'tools/*/go.mod), but `go version` failed. Install Go and retry.',
    );
  }
}

function goEnv(): NodeJS.ProcessEnv {
  // Static binaries; the exact toolchain on the machine, never a download of another one.
  return { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' };
}

function build(binary: GoBinary): void {
  mkdirSync(binDir, { recursive: true });
  // Build to a temp name and rename, so an interrupted build never looks cached.
  const partial = `${binary.path}.partial-${process.pid}`;
  const args = [
    'build',
    '-buildvcs=false',
    '-ldflags',
    ['-s', '-w', ...binary.ldflags].join(' '),
    '-o',
    partial,
    binary.packagePath,
  ];
  // At low priority: a cold build takes minutes of every core, on machines people work on.
  const result = spawnSync('nice', ['-n', '10', 'go', ...args], {
    cwd: binary.moduleDir,
    env: goEnv(),
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    rmSync(partial, { force: true });
    fail(
      `building ${binary.name} ${binary.version} failed: (cd ${relative(repoRoot, binary.moduleDir)} && go ${args.join(' ')})`,
    );
  }
  renameSync(partial, binary.path);
}

// --node: also the single-node cluster of the end-to-end suite (kubelet, kube-proxy,
// kube-scheduler, CoreDNS, pause) and its Debian packages (containerd, runc, CNI plugins, iptables).
const withNode = process.argv.includes('--node');

function prepareGoBinaries(): void {
  let goChecked = false;
  for (const binary of goBinaries().filter((item) => withNode || item.group !== 'node')) {
    const shown = relative(repoRoot, binary.path);
    if (existsSync(binary.path)) {
      console.log(`prepare-test-tools: ${binary.name} ${binary.version} cached (${shown})`);
      continue;
    }
    if (!goChecked) checkGo();
    goChecked = true;
    console.log(
      `prepare-test-tools: ${binary.name} ${binary.version} building from the Go module proxy ` +
        '(the first, cold build takes several minutes)…',
    );
    const started = performance.now();
    build(binary);
    console.log(
      `prepare-test-tools: ${binary.name} ${binary.version} built in ${seconds(started)} (${shown})`,
    );
  }
  ensurePathDir();
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function prepareDebianPackages(): void {
  const wanted = { ...debianPackages, ...(withNode ? nodeDebianPackages : {}) };
  const names = Object.keys(wanted);
  const missing = names.filter((name) => locate(name) === undefined);
  for (const name of names) {
    const found = locate(name);
    if (found !== undefined) console.log(`prepare-test-tools: ${name} present (${found})`);
  }
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((name) => wanted[name]!))];
  const command = `apt-get install -y ${packages.join(' ')}`;
  if (!isRoot() || findOnPath('apt-get') === undefined) {
    fail(
      `${missing.join(', ')} missing and cannot be installed here (needs root and apt-get): run \`${command}\``,
    );
  }
  const started = performance.now();
  console.log(`prepare-test-tools: installing ${packages.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { env, stdio: 'inherit' });
  if (update.status !== 0) fail(`apt-get update failed; install by hand: ${command}`);
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    env,
    stdio: 'inherit',
  });
  if (install.status !== 0) fail(`\`${command}\` failed`);
  for (const name of missing) {
    const found = locate(name);
    if (found === undefined) fail(`${name} still missing after \`${command}\``);
    console.log(`prepare-test-tools: ${name} installed in ${seconds(started)} (${found})`);
  }
}

/**
 * A virtualenv with the OpenAI Python SDK (tools/python/requirements.txt), so the proxy is also
 * tested with the other official client. Keyed by the requirements' content: an edit rebuilds it.
 */
function preparePythonSdk(): void {
  const requirements = readFileSync(`${repoRoot}/tools/python/requirements.txt`, 'utf8');
  const key = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const venv = `${repoRoot}/.cache/python-${key}`;
  if (existsSync(`${venv}/bin/python`)) {
    console.log(`prepare-test-tools: python openai SDK cached (${relative(repoRoot, venv)})`);
    return;
  }
  const python = findOnPath('python3');
  if (python === undefined) fail('python3 is needed for the OpenAI Python SDK tests');
  const started = performance.now();
  rmSync(`${venv}.tmp`, { recursive: true, force: true });
  const create = spawnSync(python, ['-m', 'venv', `${venv}.tmp`], { stdio: 'inherit' });
  if (create.status !== 0) fail('python3 -m venv failed');
  const install = spawnSync(
    `${venv}.tmp/bin/pip`,
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '-r',
      `${repoRoot}/tools/python/requirements.txt`,
    ],
    { stdio: 'inherit' },
  );
  if (install.status !== 0) fail('pip install of tools/python/requirements.txt failed');
  renameSync(`${venv}.tmp`, venv);
  console.log(
    `prepare-test-tools: python openai SDK installed in ${seconds(started)} (${relative(repoRoot, venv)})`,
  );
}

const started = performance.now();
prepareGoBinaries();
prepareDebianPackages();
preparePythonSdk();
console.log(`prepare-test-tools: ready in ${seconds(started)}`);
