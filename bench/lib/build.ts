// The benchmark measures Switchyard as the image runs it: the sources compiled to JavaScript by
// `tsc -p tsconfig.build.json` (what `npm run build` and the Dockerfile do), not the TypeScript
// sources through Node's type stripping, which costs ~25 MB of RSS and a slower start.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Where builds go: under the project's own node_modules, so their imports resolve against it even
 * when `.cache` is a symlink to another checkout's cache (a git worktree sharing one), which
 * would resolve them against that checkout's node_modules instead.
 */
export const BUILD_DIR = join(ROOT, 'node_modules/.cache/switchyard-bench');
const OUT_DIR = join(BUILD_DIR, 'dist');
let built: string | undefined;

/**
 * Compiles the production build once per benchmark run into `BUILD_DIR/dist` (so its imports
 * resolve against the project's node_modules) and returns the path of the CLI entry point.
 */
export function productionEntry(): string {
  if (built === undefined) {
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        OUT_DIR,
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    built = join(OUT_DIR, 'cli/main.js');
  }
  return built;
}

/**
 * `bench/gc-hook.ts` as JavaScript, for `--import` into a measured process: preloading the `.ts`
 * file would load Node's type stripper into it and add ~20 MB to the RSS being measured.
 */
export function gcHookEntry(): string {
  const out = join(OUT_DIR, 'gc-hook.js');
  mkdirSync(OUT_DIR, { recursive: true });
  const source = readFileSync(join(ROOT, 'bench/gc-hook.ts'), 'utf8');
  // stripTypeScriptTypes warns that it is experimental; that is noise in the report.
  const descriptor = Object.getOwnPropertyDescriptor(process, 'emitWarning');
  process.emitWarning = () => {};
  try {
    writeFileSync(out, stripTypeScriptTypes(source));
  } finally {
    if (descriptor !== undefined) Object.defineProperty(process, 'emitWarning', descriptor);
  }
  return out;
}

/**
 * The environment the image sets for its process (the `ENV` lines of the Dockerfile's last stage),
 * so a measured process runs as a pod would, e.g. with the image's glibc malloc settings.
 */
export function imageEnv(root: string = ROOT): Record<string, string> {
  const dockerfilePath = join(root, 'Dockerfile');
  if (!existsSync(dockerfilePath)) return {};
  const dockerfile = readFileSync(dockerfilePath, 'utf8').replace(/\\\n/g, ' ');
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const line of lastStage.split('\n')) {
    if (!line.startsWith('ENV ')) continue;
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}
