// `npm run image`: builds the OCI image the Helm chart runs, with no Docker daemon, no base image
// and no registry: Debian's shared libraries (apt-get download), the pinned Node binary (the npm
// `node` package), and the application compiled by tsc with its production node_modules. The
// result is one archive that `ctr images import`, `podman load`, `docker load` and `skopeo copy
// oci-archive:FILE docker://REGISTRY/…` accept.
//
//   node scripts/image/build-image.ts [--out FILE] [--tag TAG] [--node PATH]
//   node scripts/image/build-image.ts --rootfs DIR [--node PATH]   # the Dockerfile's build stage
//
// The same inputs give the same bytes (files sorted, owned by root, stamped SOURCE_DATE_EPOCH or
// 0), so the printed digest identifies the build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { debianPackageFiles } from './debian-packages.ts';
import { appDir, debianPackages, debianReleasePackage, imageLabels } from './image-spec.ts';
import { imageRepository, runtimeConfig } from './image-spec.ts';
import { packImage } from './oci-archive.ts';
import type { PackedImage } from './oci-archive.ts';
import { assembleRootfs } from './rootfs.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const app = appDir.slice(1);

interface PackageJson {
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
}

function packageJson(): PackageJson {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
}

/** The Node version package.json pins (its `node` dependency), e.g. 26.10.0. */
export function pinnedNodeVersion(): string {
  const pinned = packageJson().dependencies['node'];
  if (pinned === undefined) throw new Error('package.json has no `node` dependency to pin Node');
  return pinned;
}

/** The default image reference: the chart's repository and package.json's version. */
export function defaultReference(): string {
  return `${imageRepository}:${packageJson().version}`;
}

function checkNode(nodeBinary: string): void {
  const result = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' });
  const version = result.stdout.trim();
  if (version !== `v${pinnedNodeVersion()}`) {
    throw new Error(
      `${nodeBinary} is Node ${version || '(did not run)'}, but package.json pins ${pinnedNodeVersion()}`,
    );
  }
}

/** Options of buildImage. */
export interface BuildImageOptions {
  /** Where to write the archive. */
  readonly out: string;
  /** Image reference; default ghcr.io/switchyard-dev/switchyard:<package.json version>. */
  readonly reference?: string;
  /** Node binary to ship; default the npm `node` package's. */
  readonly nodeBinary?: string;
  /** Called with one line per step. */
  readonly log?: (line: string) => void;
}

/** Assembles a root filesystem into `dir` (what the Dockerfile copies into `scratch`). */
export function buildRootfs(dir: string, nodeBinary: string, log: (line: string) => void): void {
  checkNode(nodeBinary);
  const started = performance.now();
  const packages = debianPackageFiles(
    [...debianPackages, debianReleasePackage],
    join(repoRoot, '.cache', 'image', 'debs'),
  );
  log(`debian packages: ${packages.map((pkg) => relative(dirname(pkg.file), pkg.file)).join(' ')}`);
  assembleRootfs({ dir, repoRoot, nodeBinary, packages });
  log(`root filesystem assembled in ${seconds(started)} (${relative(process.cwd(), dir)})`);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function epochSeconds(): number {
  const fromEnv = Number(process.env['SOURCE_DATE_EPOCH'] ?? '0');
  return Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : 0;
}

/** Builds the image archive and returns its digest and sizes. */
export async function buildImage(options: BuildImageOptions): Promise<PackedImage> {
  const log = options.log ?? (() => undefined);
  const nodeBinary = options.nodeBinary ?? join(repoRoot, 'node_modules', 'node', 'bin', 'node');
  const reference = options.reference ?? defaultReference();
  mkdirSync(dirname(options.out), { recursive: true });
  const rootfs = `${options.out}.rootfs-${process.pid}`;
  try {
    buildRootfs(rootfs, nodeBinary, log);
    const started = performance.now();
    const packed = await packImage({
      rootfs,
      layers: [
        {
          name: `debian ${debianPackages.join(' ')}, node ${pinnedNodeVersion()}, /etc`,
          includes: (path) => path !== app && !path.startsWith(`${app}/`),
        },
        {
          name: 'production node_modules (package-lock.json)',
          includes: (path) => path.startsWith(`${app}/node_modules`),
        },
        {
          name: 'application (tsc -p tsconfig.build.json)',
          includes: (path) => path === `${app}/package.json` || path.startsWith(`${app}/dist`),
        },
      ],
      runtimeConfig,
      labels: {
        ...imageLabels,
        'org.opencontainers.image.version': reference.slice(reference.lastIndexOf(':') + 1),
      },
      reference,
      epochSeconds: epochSeconds(),
      out: options.out,
    });
    log(`packed in ${seconds(started)}`);
    return packed;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      tag: { type: 'string' },
      node: { type: 'string' },
      rootfs: { type: 'string' },
    },
  });
  const log = (line: string): void => console.log(`image: ${line}`);
  const nodeBinary = values.node ?? join(repoRoot, 'node_modules', 'node', 'bin', 'node');
  if (values.rootfs !== undefined) {
    buildRootfs(resolve(values.rootfs), nodeBinary, log);
    return;
  }
  const version = packageJson().version;
  const reference = `${imageRepository}:${values.tag ?? version}`;
  const out = resolve(
    values.out ?? join(repoRoot, 'dist', 'image', `switchyard-${version}.oci.tar`),
  );
  const started = performance.now();
  const packed = await buildImage({ out, reference, nodeBinary, log });
  for (const layer of packed.layers) {
    log(
      `layer ${layer.digest.slice(7, 19)} ${megabytes(layer.size)} (${megabytes(layer.unpacked)} unpacked): ${layer.name}`,
    );
  }
  log(`${packed.reference} ${packed.digest}`);
  log(
    `${megabytes(packed.compressedBytes)} to pull, ${megabytes(packed.unpackedBytes)} unpacked, ` +
      `archive ${megabytes(statSync(out).size)} at ${relative(process.cwd(), out)}, built in ${seconds(started)}`,
  );
  log(
    `load it: ctr -n k8s.io images import ${relative(process.cwd(), out)}  |  podman load -i …  |  docker load -i …`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
