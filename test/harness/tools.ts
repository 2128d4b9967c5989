// Where the real components live. The Go-built binaries are keyed by the versions pinned in the
// wrapper modules' go.mod files, so bumping a version there is all it takes to rebuild them; the
// Debian ones (Redis, Prometheus) are looked up on PATH.
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { rmSync, symlinkSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (with a trailing separator removed). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** The git-ignored folder that holds every built or downloaded test component. */
export const cacheDir = join(repoRoot, '.cache');

/** Folder of the Go-built binaries, each named `<name>-<version>`. */
export const binDir = join(cacheDir, 'bin');

/** Folder of unversioned symlinks (`kubectl`, `helm`, …) to put first on PATH for user-like calls. */
export const pathDir = join(cacheDir, 'path');

/** Names of the binaries built from the Go module proxy. */
export type GoBinaryName =
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kubectl'
  | 'etcd'
  | 'helm'
  | 'jaeger'
  | NodeBinaryName;

/** Names of the binaries only the end-to-end suite's node needs (`prepare-test-tools --node`). */
export type NodeBinaryName = 'kubelet' | 'kube-proxy' | 'kube-scheduler' | 'coredns' | 'pause';

/** Names of the components installed from Debian packages. */
export type SystemBinaryName = 'redis-server' | 'prometheus' | 'promtool';

/** How to build one Go binary: which wrapper module, which package, which version and flags. */
export interface GoBinary {
  readonly name: GoBinaryName;
  readonly version: string;
  /** Wrapper module directory under tools/ whose go.mod and go.sum pin every dependency. */
  readonly moduleDir: string;
  readonly packagePath: string;
  readonly ldflags: readonly string[];
  /** Where the binary is cached; its presence means "built". */
  readonly path: string;
  /** `node`: needed only by the end-to-end suite's single-node cluster. */
  readonly group: 'control-plane' | 'node';
}

function requiredVersion(goMod: string, modulePath: string): string {
  const text = readFileSync(goMod, 'utf8');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(text);
  if (match?.[1] === undefined) throw new Error(`${goMod} does not require ${modulePath}`);
  return match[1];
}

function kubernetesLdflags(version: string): string[] {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  // Without these /version reports v0.0.0, and clients (kubectl, helm) warn or refuse.
  return [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major ?? ''}`,
    `-X ${pkg}.gitMinor=${minor ?? ''}`,
    `-X ${pkg}.gitTreeState=clean`,
  ];
}

/** The node's binaries: kubelet, kube-proxy and kube-scheduler, CoreDNS, and the pause process. */
function nodeBinaries(kube: (name: GoBinaryName) => GoBinary): GoBinary[] {
  const corednsModule = join(repoRoot, 'tools', 'coredns');
  const coredns = requiredVersion(join(corednsModule, 'go.mod'), 'github.com/coredns/coredns');
  const pauseModule = join(repoRoot, 'tools', 'pause');
  // Ours, with no release of its own: the version is the source's hash.
  const pause = createHash('sha256')
    .update(readFileSync(join(pauseModule, 'main.go')))
    .digest('hex')
    .slice(0, 12);
  const own = (name: NodeBinaryName, version: string, moduleDir: string): GoBinary => ({
    name,
    version,
    moduleDir,
    packagePath: '.',
    ldflags: [],
    path: join(binDir, `${name}-${version}`),
    group: 'node',
  });
  return [
    { ...kube('kubelet'), group: 'node' },
    { ...kube('kube-proxy'), group: 'node' },
    { ...kube('kube-scheduler'), group: 'node' },
    own('coredns', coredns, corednsModule),
    own('pause', pause, pauseModule),
  ];
}

/** Every Go binary the integration tests need, with versions read from the committed go.mod files. */
export function goBinaries(): GoBinary[] {
  const controlPlane = join(repoRoot, 'tools', 'control-plane');
  const helmModule = join(repoRoot, 'tools', 'helm');
  const kubernetes = requiredVersion(join(controlPlane, 'go.mod'), 'k8s.io/kubernetes');
  const etcd = requiredVersion(join(controlPlane, 'go.mod'), 'go.etcd.io/etcd/server/v3');
  const helm = requiredVersion(join(helmModule, 'go.mod'), 'helm.sh/helm/v4');
  const jaegerModule = join(repoRoot, 'tools', 'jaeger');
  const jaeger = requiredVersion(join(jaegerModule, 'go.mod'), 'github.com/jaegertracing/jaeger');
  const kube = (name: GoBinaryName): GoBinary => ({
    name,
    version: kubernetes,
    moduleDir: controlPlane,
    packagePath: `k8s.io/kubernetes/cmd/${name}`,
    ldflags: kubernetesLdflags(kubernetes),
    path: join(binDir, `${name}-${kubernetes}`),
    group: 'control-plane',
  });
  return [
    kube('kube-apiserver'),
    {
      name: 'etcd',
      version: etcd,
      moduleDir: controlPlane,
      packagePath: 'go.etcd.io/etcd/server/v3',
      ldflags: [],
      path: join(binDir, `etcd-${etcd}`),
      group: 'control-plane',
    },
    kube('kube-controller-manager'),
    kube('kubectl'),
    {
      name: 'helm',
      version: helm,
      moduleDir: helmModule,
      packagePath: 'helm.sh/helm/v4/cmd/helm',
      ldflags: [`-X helm.sh/helm/v4/internal/version.version=${helm}`],
      path: join(binDir, `helm-${helm}`),
      group: 'control-plane',
    },
    {
      // Jaeger v2 (an OpenTelemetry Collector distribution): OTLP in, in-memory storage, query API.
      name: 'jaeger',
      group: 'control-plane',
      version: jaeger,
      moduleDir: jaegerModule,
      packagePath: 'github.com/jaegertracing/jaeger/cmd/jaeger',
      ldflags: [`-X github.com/jaegertracing/jaeger/internal/version.latestVersion=${jaeger}`],
      path: join(binDir, `jaeger-${jaeger}`),
    },
    ...nodeBinaries(kube),
  ];
}

/** Path of a built Go binary; throws with the command that builds it when it is missing. */
export function goBinary(name: GoBinaryName): string {
  const binary = goBinaries().find((candidate) => candidate.name === name);
  if (binary === undefined) throw new Error(`unknown Go binary ${name}`);
  if (!existsSync(binary.path)) {
    throw new Error(
      `${name} ${binary.version} is not built (${binary.path} is missing): ` +
        'run `node scripts/prepare-test-tools.ts` (or `npm test`) first',
    );
  }
  return binary.path;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks a command up on PATH (plus the sbin folders Debian may use); undefined when absent. */
export function findOnPath(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of [...dirs, '/usr/sbin', '/usr/local/sbin']) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Path of a Debian-installed component; throws with the install command when it is missing. */
export function systemBinary(name: SystemBinaryName): string {
  const found = findOnPath(name);
  if (found === undefined) {
    throw new Error(
      `${name} is not installed: run \`node scripts/prepare-test-tools.ts\` as root, or ` +
        '`apt-get install -y redis-server prometheus`',
    );
  }
  return found;
}

/**
 * Refreshes `.cache/path/` so that `kubectl`, `helm`, … resolve to the pinned builds; cheap and
 * idempotent, so both the prepare script and the harness call it.
 */
export function ensurePathDir(): string {
  mkdirSync(pathDir, { recursive: true });
  for (const binary of goBinaries()) {
    if (!existsSync(binary.path)) continue;
    const link = join(pathDir, binary.name);
    // Relative, so the cache survives moving the checkout.
    const target = relative(pathDir, binary.path);
    let current: string | undefined;
    try {
      current = readlinkSync(link);
    } catch {
      current = undefined;
    }
    if (current === target) continue;
    rmSync(link, { force: true });
    try {
      symlinkSync(target, link);
    } catch (error) {
      // Another test process may have created it between rmSync and symlinkSync.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return pathDir;
}

/** An environment whose PATH starts with the pinned kubectl/helm builds. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = [ensurePathDir(), process.env['PATH'] ?? ''].join(delimiter);
  return { ...process.env, PATH: path, ...extra };
}
