// The images the test node runs, built with scripts/image/ (no registry can be reached, so every
// image is built here and imported into containerd): the Switchyard image exactly as `npm run
// image` builds it, the pause image pods' sandboxes run, and a workload image with Node, the fake
// providers and the OpenAI SDK for the suite's provider and client pods. Each is cached under
// .cache/image/ by a hash of its inputs, so a warm run builds nothing.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  globSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
} from 'node:fs';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  buildImage,
  defaultReference,
  pinnedNodeVersion,
} from '../../../scripts/image/build-image.ts';
import { debianPackageFiles } from '../../../scripts/image/debian-packages.ts';
import type { DebianPackage } from '../../../scripts/image/debian-packages.ts';
import { debianPackages, debianReleasePackage } from '../../../scripts/image/image-spec.ts';
import { packImage } from '../../../scripts/image/oci-archive.ts';
import { assembleBase, normaliseModes } from '../../../scripts/image/rootfs.ts';
import { cacheDir, goBinary, repoRoot } from '../tools.ts';

/** An image archive ready for `ctr images import`, and the name it carries. */
export interface ImageArchive {
  readonly reference: string;
  readonly archive: string;
}

/** The sandbox image containerd runs for every pod (its CRI `sandbox_image`). */
export const pauseReference = 'registry.k8s.io/pause:3.10';

/** The suite's own image: fake providers and clients (imagePullPolicy Never). */
export const workloadReference = 'switchyard.test/e2e-workload:1';

const imageCache = join(cacheDir, 'image');
const nodeBinary = join(repoRoot, 'node_modules', 'node', 'bin', 'node');

function hashFiles(patterns: readonly string[], extra: readonly string[]): string {
  const hash = createHash('sha256');
  const files = patterns
    .flatMap((pattern) => globSync(pattern, { cwd: repoRoot }))
    .filter((file) => !file.endsWith('.test.ts'))
    .sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(repoRoot, file)));
  for (const item of extra) hash.update(`${item}\0`);
  return hash.digest('hex').slice(0, 16);
}

function debs(): DebianPackage[] {
  return debianPackageFiles([...debianPackages, debianReleasePackage], join(imageCache, 'debs'));
}

/**
 * Returns `archive` if it exists, else builds it through a temporary name and removes the
 * archives of the same image built from older inputs (each is ~60 MB).
 */
async function cached(archive: string, build: (partial: string) => Promise<void>): Promise<string> {
  if (existsSync(archive)) return archive;
  mkdirSync(dirname(archive), { recursive: true });
  const partial = `${archive}.partial-${process.pid}`;
  try {
    await build(partial);
    renameSync(partial, archive);
  } finally {
    rmSync(partial, { force: true });
  }
  const name = basename(archive).replace(/-[0-9a-f]{16}\.oci\.tar$/, '');
  for (const old of readdirSync(dirname(archive))) {
    if (old !== basename(archive) && new RegExp(`^${name}-[0-9a-f]{16}\\.oci\\.tar$`).test(old)) {
      rmSync(join(dirname(archive), old), { force: true });
    }
  }
  return archive;
}

/** The Switchyard image as `npm run image` builds it, from the checkout's current sources. */
export async function switchyardImage(): Promise<ImageArchive> {
  const packages = debs();
  const key = hashFiles(
    ['{cli,core,operator,proxy}/**/*.ts', 'scripts/image/*.ts', 'package*.json', 'tsconfig*.json'],
    [pinnedNodeVersion(), ...packages.map((pkg) => pkg.sha256)],
  );
  const reference = defaultReference();
  const archive = await cached(join(imageCache, `switchyard-${key}.oci.tar`), async (partial) => {
    await buildImage({ out: partial, reference });
  });
  return { reference, archive };
}

/** The pause image: the pause binary alone, as nobody. */
export async function pauseImage(): Promise<ImageArchive> {
  const pause = goBinary('pause');
  const key = hashFiles(['scripts/image/*.ts'], [pause]);
  const archive = await cached(join(imageCache, `pause-${key}.oci.tar`), async (partial) => {
    const rootfs = `${partial}.rootfs`;
    try {
      mkdirSync(rootfs, { recursive: true });
      copyFileSync(pause, join(rootfs, 'pause'));
      normaliseModes(rootfs);
      await packImage({
        rootfs,
        layers: [{ name: 'pause', includes: () => true }],
        runtimeConfig: { User: '65535:65535', Entrypoint: ['/pause'] },
        labels: {},
        reference: pauseReference,
        epochSeconds: 0,
        out: partial,
      });
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  });
  return { reference: pauseReference, archive };
}

// Type stripping is fine for test pods: they are not what the suite measures.
const workloadSources = ['test/fakes/*.ts', 'test/e2e/workload/*.ts'];

/** Node, the fake providers (test/fakes/main.ts) and the OpenAI SDK with the client scripts. */
export async function workloadImage(): Promise<ImageArchive> {
  const packages = debs();
  const key = hashFiles(
    [
      ...workloadSources,
      'scripts/image/*.ts',
      'test/harness/node/images.ts',
      'node_modules/{openai,zod}/package.json',
    ],
    [pinnedNodeVersion(), ...packages.map((pkg) => pkg.sha256)],
  );
  const archive = await cached(join(imageCache, `workload-${key}.oci.tar`), async (partial) => {
    const rootfs = `${partial}.rootfs`;
    try {
      assembleBase(rootfs, packages, nodeBinary);
      for (const file of workloadSources.flatMap((pattern) =>
        globSync(pattern, { cwd: repoRoot }),
      )) {
        if (file.endsWith('.test.ts')) continue;
        mkdirSync(dirname(join(rootfs, 'app', file)), { recursive: true });
        copyFileSync(join(repoRoot, file), join(rootfs, 'app', file));
      }
      // The SDK for the clients, zod for the fakes' script steps; neither has dependencies.
      for (const pkg of ['openai', 'zod']) {
        cpSync(join(repoRoot, 'node_modules', pkg), join(rootfs, 'app/node_modules', pkg), {
          recursive: true,
        });
      }
      writeFileSync(join(rootfs, 'app/package.json'), '{ "type": "module", "private": true }\n');
      normaliseModes(rootfs);
      await packImage({
        rootfs,
        layers: [
          { name: 'debian libraries and node', includes: (path) => !path.startsWith('app/') },
          {
            name: 'fakes, clients and the OpenAI SDK',
            includes: (path) => path.startsWith('app/'),
          },
        ],
        runtimeConfig: {
          User: '1000:1000',
          Env: ['NODE_ENV=production'],
          Entrypoint: ['/usr/local/bin/node'],
          WorkingDir: '/app',
        },
        labels: {},
        reference: workloadReference,
        epochSeconds: 0,
        out: partial,
      });
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  });
  return { reference: workloadReference, archive };
}
