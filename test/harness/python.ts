import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { repoRoot } from './tools.ts';

/**
 * The python interpreter of the virtualenv that scripts/prepare-test-tools.ts builds with the
 * OpenAI Python SDK (tools/python/requirements.txt). Throws when it has not been prepared.
 */
export function pythonWithOpenAI(): string {
  const requirements = readFileSync(`${repoRoot}/tools/python/requirements.txt`, 'utf8');
  const key = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const python = `${repoRoot}/.cache/python-${key}/bin/python`;
  if (!existsSync(python))
    throw new Error(`${python} is missing: run node scripts/prepare-test-tools.ts (npm test does)`);
  return python;
}
