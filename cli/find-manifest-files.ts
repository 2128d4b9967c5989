import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestProblem } from '../core/compile/manifest-problem.ts';

/** The files named on the command line, with folders expanded. */
export interface ManifestFiles {
  files: string[];
  problems: ManifestProblem[];
}

const MANIFEST_EXTENSION = /\.ya?ml$/i;

/**
 * Expands paths into manifest files: a file is taken as given, a folder is searched recursively
 * for `*.yaml` and `*.yml` (hidden folders such as `.git` skipped). Files are sorted, so output
 * order does not depend on the file system. A path that does not exist, or a folder without
 * manifests, is a problem: validating nothing is almost always a mistake.
 */
export async function findManifestFiles(paths: readonly string[]): Promise<ManifestFiles> {
  const files = new Set<string>();
  const problems: ManifestProblem[] = [];
  for (const path of paths) {
    const problem = await collect(path, files);
    if (problem !== undefined) {
      problems.push({ severity: 'error', location: { file: path, line: 0 }, message: problem });
    }
  }
  return { files: [...files].sort(), problems };
}

async function collect(path: string, files: Set<string>): Promise<string | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    return `cannot read: ${describeFsError(error)}`;
  }
  if (!info.isDirectory()) {
    files.add(path);
    return undefined;
  }
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const found = entries
    .filter((entry) => entry.isFile() && MANIFEST_EXTENSION.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(
      (file) =>
        !file
          .slice(path.length)
          .split(/[/\\]/)
          .some((part) => part.startsWith('.')),
    );
  if (found.length === 0) return 'no *.yaml or *.yml files in this folder';
  for (const file of found) files.add(file);
  return undefined;
}

/** `no such file or directory` rather than a Node error dump. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return error instanceof Error ? error.message : String(error);
}
