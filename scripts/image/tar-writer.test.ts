import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTar } from './tar-writer.ts';
import type { TarEntry } from './tar-writer.ts';

const longDir = `app/node_modules/${'@scope-with-a-long-name/'.repeat(3)}package-with-a-long-name`;
const entries: TarEntry[] = [
  { type: 'directory', path: 'app', mode: 0o755 },
  { type: 'file', path: 'app/run.js', mode: 0o755, data: Buffer.from('console.log(1)\n') },
  { type: 'file', path: 'app/empty', mode: 0o644, data: Buffer.alloc(0) },
  { type: 'file', path: `${longDir}/index.js`, mode: 0o644, data: Buffer.alloc(1500, 'x') },
  { type: 'symlink', path: 'app/link', target: 'run.js' },
  { type: 'symlink', path: 'app/long-link', target: `/${longDir}/index.js` },
  { type: 'directory', path: 'tmp', mode: 0o1777 },
];

function withDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-tar-test-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('GNU tar lists every entry as root-owned, with its mode, type and full long name', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'layer.tar'), writeTar(entries, 0));
    const listing = execFileSync('tar', ['-tvf', join(dir, 'layer.tar'), '--numeric-owner'], {
      encoding: 'utf8',
    });
    const lines = listing.trim().split('\n');
    assert.equal(lines.length, entries.length, listing);
    assert.match(lines[0]!, /^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 app\/$/);
    assert.match(lines[1]!, /^-rwxr-xr-x 0\/0 +15 .* app\/run\.js$/);
    assert.ok(lines[3]!.endsWith(`${longDir}/index.js`), lines[3]!);
    assert.ok(lines[5]!.endsWith(`app/long-link -> /${longDir}/index.js`), lines[5]!);
    assert.match(lines[6]!, /^drwxrwxrwt 0\/0 /);
  });
});

test('extracting the archive gives back the same contents and links', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'layer.tar'), writeTar(entries, 0));
    execFileSync('tar', ['-xf', join(dir, 'layer.tar'), '-C', dir]);
    assert.equal(readFileSync(join(dir, 'app/run.js'), 'utf8'), 'console.log(1)\n');
    assert.equal(readFileSync(join(dir, longDir, 'index.js')).length, 1500);
    assert.equal(readlinkSync(join(dir, 'app/link')), 'run.js');
    assert.equal(statSync(join(dir, 'app/empty')).size, 0);
  });
});

test('the same entries always give the same bytes, and the stamp is the given mtime', () => {
  assert.deepEqual(writeTar(entries, 1_700_000_000), writeTar(entries, 1_700_000_000));
  assert.notDeepEqual(writeTar(entries, 0), writeTar(entries, 1));
  withDir((dir) => {
    writeFileSync(join(dir, 'layer.tar'), writeTar(entries.slice(0, 1), 1_700_000_000));
    const listing = execFileSync('tar', ['-tvf', join(dir, 'layer.tar'), '--utc'], {
      encoding: 'utf8',
    });
    assert.match(listing, /2023-11-14 22:13 app\//);
  });
});
