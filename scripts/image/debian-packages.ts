// The Debian packages of the image's root filesystem, downloaded with apt-get (no base image, no
// registry) into a cache keyed by file name, and verified against the SHA256 that apt's signed
// index gives for them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A downloaded .deb and what apt said about it. */
export interface DebianPackage {
  readonly name: string;
  readonly file: string;
  readonly sha256: string;
}

interface PlannedDownload {
  readonly name: string;
  readonly fileName: string;
  readonly sha256: string;
}

function run(command: string, args: readonly string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  }
  return result.stdout;
}

function plan(names: readonly string[]): PlannedDownload[] {
  // `'URL' FILE SIZE SHA256:HEX` per package, sorted by apt, not in the order asked.
  const printed = run('apt-get', ['download', '--print-uris', ...names]);
  const downloads = new Map<string, PlannedDownload>();
  for (const line of printed.split('\n').filter((text) => text.startsWith("'"))) {
    const [, fileName, , checksum] = line.split(' ');
    if (fileName === undefined || checksum?.startsWith('SHA256:') !== true) {
      throw new Error(`unexpected apt-get line: ${line}`);
    }
    const name = fileName.split('_')[0] ?? '';
    downloads.set(name, { name, fileName, sha256: checksum.slice('SHA256:'.length) });
  }
  return names.map((name) => {
    const found = downloads.get(name);
    if (found === undefined) throw new Error(`apt-get has no ${name}; it printed:\n${printed}`);
    return found;
  });
}

/** The version part of `name_version_arch.deb`, where apt writes an epoch's colon as %3a. */
function versionOf(fileName: string): string {
  return decodeURIComponent(fileName.split('_')[1] ?? '');
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function planWithLists(names: readonly string[]): PlannedDownload[] {
  try {
    return plan(names);
  } catch (error) {
    // A fresh machine may have no package lists yet; root can fetch them.
    if (process.getuid?.() !== 0) throw error;
    run('apt-get', ['update', '-qq']);
    return plan(names);
  }
}

/**
 * Returns the .deb files of `names` (the candidate versions of this machine's apt sources),
 * downloading the ones missing from `cacheDir`. Throws with apt's message when a package cannot
 * be had.
 */
export function debianPackageFiles(names: readonly string[], cacheDir: string): DebianPackage[] {
  mkdirSync(cacheDir, { recursive: true });
  const planned = planWithLists(names);
  const missing = planned.filter((item) => {
    const file = join(cacheDir, item.fileName);
    return !existsSync(file) || sha256Of(file) !== item.sha256;
  });
  if (missing.length > 0) {
    // apt-get download writes into the working directory, under the final name.
    run(
      'apt-get',
      ['download', ...missing.map((item) => `${item.name}=${versionOf(item.fileName)}`)],
      cacheDir,
    );
  }
  return planned.map((item) => {
    const file = join(cacheDir, item.fileName);
    const actual = sha256Of(file);
    if (actual !== item.sha256) {
      throw new Error(`${file}: SHA256 ${actual}, but apt's index says ${item.sha256}`);
    }
    return { name: item.name, file, sha256: item.sha256 };
  });
}
