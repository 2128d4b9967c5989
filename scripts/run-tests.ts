// `npm test`: the whole suite. Prepares the real components the integration suites need
// (control plane, helm, Redis, Prometheus — built or installed once, cached in .cache/),
// then runs every `*.test.ts` with node:test and prints its summary.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const unitOnly = process.argv.includes('--unit');
const files = globSync('**/*.test.ts', {
  exclude: (name) => name === 'node_modules' || name === '.cache',
})
  .filter((file) => !unitOnly || !file.startsWith('test/'))
  .sort();

if (!unitOnly) {
  const prepared = spawnSync(process.execPath, ['scripts/prepare-test-tools.ts'], {
    stdio: 'inherit',
  });
  if (prepared.status !== 0) process.exit(prepared.status ?? 1);
}

const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=3', '--test-timeout=600000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
