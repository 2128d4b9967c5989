import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packImage } from './oci-archive.ts';
import type { PackInputs } from './oci-archive.ts';

interface Descriptor {
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function tinyRootfs(dir: string): string {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'app/dist'), { recursive: true });
  writeFileSync(join(root, 'usr/bin/tool'), '#!tool\n', { mode: 0o755 });
  writeFileSync(join(root, 'app/dist/main.js'), 'console.log("hi")\n', { mode: 0o644 });
  symlinkSync('tool', join(root, 'usr/bin/alias'));
  return root;
}

function inputs(dir: string, out: string): PackInputs {
  return {
    rootfs: tinyRootfs(dir),
    layers: [
      { name: 'system', includes: (path) => !path.startsWith('app') },
      { name: 'application', includes: (path) => path.startsWith('app/') },
    ],
    runtimeConfig: { User: '1000:1000', Entrypoint: ['/usr/bin/tool'] },
    labels: { 'org.opencontainers.image.title': 'tiny' },
    reference: 'registry.example/tiny:1.2.3',
    epochSeconds: 0,
    out,
  };
}

async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-oci-test-'));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function unpack(archive: string, dir: string): (path: string) => Buffer {
  const into = join(dir, 'unpacked');
  mkdirSync(into);
  execFileSync('tar', ['-xf', archive, '-C', into]);
  return (path) => readFileSync(join(into, path));
}

test('two packs of the same root filesystem are byte for byte the same archive', () =>
  inTempDir(async (dir) => {
    const first = await packImage(inputs(join(dir, 'a'), join(dir, 'a.tar')));
    const second = await packImage(inputs(join(dir, 'b'), join(dir, 'b.tar')));
    assert.equal(first.digest, second.digest);
    assert.deepEqual(readFileSync(join(dir, 'a.tar')), readFileSync(join(dir, 'b.tar')));
  }));

test('the index names the image, and every digest, size and diff_id matches its blob', () =>
  inTempDir(async (dir) => {
    const packed = await packImage(inputs(dir, join(dir, 'image.tar')));
    const read = unpack(join(dir, 'image.tar'), dir);
    const blob = (digest: string): Buffer => read(`blobs/sha256/${digest.slice(7)}`);
    const index = JSON.parse(read('index.json').toString()) as { manifests: Descriptor[] };
    const [entry] = index.manifests;
    assert.equal(entry?.annotations?.['io.containerd.image.name'], 'registry.example/tiny:1.2.3');
    assert.equal(entry?.annotations?.['org.opencontainers.image.ref.name'], '1.2.3');
    assert.equal(entry.digest, packed.digest);
    const manifestBytes = blob(entry.digest);
    assert.equal(sha256(manifestBytes), entry.digest);
    assert.equal(manifestBytes.length, entry.size);
    const manifest = JSON.parse(manifestBytes.toString()) as {
      config: Descriptor;
      layers: Descriptor[];
    };
    const config = JSON.parse(blob(manifest.config.digest).toString()) as {
      config: Record<string, unknown>;
      rootfs: { diff_ids: string[] };
    };
    assert.equal(config.config['User'], '1000:1000');
    assert.deepEqual(config.config['Labels'], { 'org.opencontainers.image.title': 'tiny' });
    assert.equal(manifest.layers.length, 2);
    manifest.layers.forEach((layer, i) => {
      const gz = blob(layer.digest);
      assert.equal(sha256(gz), layer.digest);
      assert.equal(gz.length, layer.size);
      assert.equal(sha256(gunzipSync(gz)), config.rootfs.diff_ids[i]);
    });
    const docker = JSON.parse(read('manifest.json').toString()) as { RepoTags: string[] }[];
    assert.deepEqual(docker[0]?.RepoTags, ['registry.example/tiny:1.2.3']);
    assert.equal(JSON.parse(read('oci-layout').toString()).imageLayoutVersion, '1.0.0');
  }));

test('each layer holds its own paths and the parent directories they need', () =>
  inTempDir(async (dir) => {
    const packed = await packImage(inputs(dir, join(dir, 'image.tar')));
    const read = unpack(join(dir, 'image.tar'), dir);
    const listing = packed.layers.map((layer) => {
      writeFileSync(
        join(dir, 'layer.tar'),
        gunzipSync(read(`blobs/sha256/${layer.digest.slice(7)}`)),
      );
      return execFileSync('tar', ['-tf', join(dir, 'layer.tar')], { encoding: 'utf8' }).trim();
    });
    assert.deepEqual(listing[0]?.split('\n'), [
      'usr/',
      'usr/bin/',
      'usr/bin/alias',
      'usr/bin/tool',
    ]);
    assert.deepEqual(listing[1]?.split('\n'), ['app/', 'app/dist/', 'app/dist/main.js']);
  }));
