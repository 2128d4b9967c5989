// Packs a root filesystem directory into an OCI image archive: gzip layers, the image config, the
// manifest and an index naming the image, plus Docker's manifest.json, so that `ctr images
// import`, `podman load`, `docker load` and `skopeo copy oci-archive:…` all take the same file.
// Layers are cut by how often they change (system files, dependencies, the application), so a
// registry stores the big, stable ones once.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { writeTar } from './tar-writer.ts';
import type { TarEntry } from './tar-writer.ts';

const gzipAsync = promisify(gzip);

/** One layer: a name for its history entry and which root-relative paths it holds. */
export interface LayerSpec {
  readonly name: string;
  readonly includes: (path: string) => boolean;
}

/** What packImage needs besides the root filesystem. */
export interface PackInputs {
  readonly rootfs: string;
  readonly layers: readonly LayerSpec[];
  /** The OCI config's `config` (User, Env, Entrypoint, …). */
  readonly runtimeConfig: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, string>>;
  /** Full reference the archive names the image by, e.g. ghcr.io/org/name:1.0.0. */
  readonly reference: string;
  /** Seconds since the epoch stamped on every file and as `created` (SOURCE_DATE_EPOCH). */
  readonly epochSeconds: number;
  readonly out: string;
}

/** Sizes and digests of a packed image. */
export interface PackedImage {
  readonly reference: string;
  /** Digest of the manifest: what a registry and `crictl images --digests` show. */
  readonly digest: string;
  readonly configDigest: string;
  readonly layers: readonly { name: string; digest: string; size: number; unpacked: number }[];
  /** Bytes a pull transfers: config and compressed layers. */
  readonly compressedBytes: number;
  /** Bytes of the unpacked layers. */
  readonly unpackedBytes: number;
  readonly archive: string;
}

interface Blob {
  readonly digest: string;
  readonly data: Buffer;
}

function blob(data: Buffer): Blob {
  return { digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, data };
}

function walk(root: string, dir = root): string[] {
  const paths: string[] = [];
  // Sorted, so the archive's order (and its digest) never depends on the file system.
  const names = readdirSync(dir).sort();
  for (const name of names) {
    const path = join(dir, name);
    paths.push(relative(root, path));
    if (lstatSync(path).isDirectory()) paths.push(...walk(root, path));
  }
  return paths;
}

function entryFor(root: string, path: string): TarEntry {
  const full = join(root, path);
  const stat = lstatSync(full);
  if (stat.isSymbolicLink()) return { type: 'symlink', path, target: readlinkSync(full) };
  // Modes as the directory has them (rootfs.ts normalised them); owners are always root.
  const mode = stat.mode & 0o7777;
  if (stat.isDirectory()) return { type: 'directory', path, mode };
  return { type: 'file', path, mode, data: readFileSync(full) };
}

/** Parent directories of `path` ("a/b/c" → "a", "a/b"), so every layer stands on its own. */
function parents(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join('/'));
}

function layerPaths(all: readonly string[], spec: LayerSpec): string[] {
  const chosen = new Set<string>();
  for (const path of all) {
    if (!spec.includes(path)) continue;
    for (const parent of parents(path)) chosen.add(parent);
    chosen.add(path);
  }
  return all.filter((path) => chosen.has(path));
}

function ociArchitecture(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

/** Writes the OCI archive of `inputs.rootfs` to `inputs.out` and describes what it wrote. */
export async function packImage(inputs: PackInputs): Promise<PackedImage> {
  const all = walk(inputs.rootfs);
  const created = new Date(inputs.epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
  const built = await Promise.all(
    inputs.layers.map(async (spec) => {
      const tar = writeTar(
        layerPaths(all, spec).map((path) => entryFor(inputs.rootfs, path)),
        inputs.epochSeconds,
      );
      const diffId = blob(tar).digest;
      return { spec, diffId, unpacked: tar.length, gz: blob(await gzipAsync(tar)) };
    }),
  );
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: ociArchitecture(),
        os: 'linux',
        created,
        config: { ...inputs.runtimeConfig, Labels: inputs.labels },
        rootfs: { type: 'layers', diff_ids: built.map((layer) => layer.diffId) },
        history: built.map((layer) => ({
          created,
          created_by: `scripts/image: ${layer.spec.name}`,
        })),
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: config.digest,
          size: config.data.length,
        },
        layers: built.map((layer) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: layer.gz.digest,
          size: layer.gz.data.length,
        })),
      }),
    ),
  );
  const tag = inputs.reference.slice(inputs.reference.lastIndexOf(':') + 1);
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifest.digest,
        size: manifest.data.length,
        annotations: {
          // containerd and Docker read the full name here; the OCI annotation holds the tag.
          'io.containerd.image.name': inputs.reference,
          'org.opencontainers.image.ref.name': tag,
        },
      },
    ],
  };
  const blobPath = (item: Blob): string => `blobs/sha256/${item.digest.slice('sha256:'.length)}`;
  const dockerManifest = [
    {
      Config: blobPath(config),
      RepoTags: [inputs.reference],
      Layers: built.map((layer) => blobPath(layer.gz)),
    },
  ];
  const blobs = [config, manifest, ...built.map((layer) => layer.gz)];
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
  const entries: TarEntry[] = [
    { type: 'file', path: 'oci-layout', mode: 0o644, data: json({ imageLayoutVersion: '1.0.0' }) },
    { type: 'file', path: 'index.json', mode: 0o644, data: json(index) },
    { type: 'file', path: 'manifest.json', mode: 0o644, data: json(dockerManifest) },
    { type: 'directory', path: 'blobs', mode: 0o755 },
    { type: 'directory', path: 'blobs/sha256', mode: 0o755 },
    ...blobs.map((item): TarEntry => ({
      type: 'file',
      path: blobPath(item),
      mode: 0o644,
      data: item.data,
    })),
  ];
  writeFileSync(inputs.out, writeTar(entries, inputs.epochSeconds));
  return {
    reference: inputs.reference,
    digest: manifest.digest,
    configDigest: config.digest,
    layers: built.map((layer) => ({
      name: layer.spec.name,
      digest: layer.gz.digest,
      size: layer.gz.data.length,
      unpacked: layer.unpacked,
    })),
    compressedBytes:
      config.data.length + built.reduce((sum, layer) => sum + layer.gz.data.length, 0),
    unpackedBytes: built.reduce((sum, layer) => sum + layer.unpacked, 0),
    archive: inputs.out,
  };
}
