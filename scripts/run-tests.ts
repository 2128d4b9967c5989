// `npm test`: the whole suite. Prepares the real components the integration suites need
// (control plane, helm, Redis, Prometheus — built or installed once, cached in .cache/),
// then runs every `*.test.ts` with node:test and prints its summary. The end-to-end suite
// (test/e2e/: a real node, images, helm install) is `npm run test:e2e` (`--e2e`), which also
// prepares the node's components; its files run one at a time, each starting its own cluster.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const unitOnly = process.argv.includes('--unit');
const e2e = process.argv.includes('--e2e');
const files = globSync('**/*.test.ts', {
  exclude: (name) => name === 'node_modules' || name === '.cache',
})
  .filter((file) => file.startsWith('test/e2e/') === e2e)
  .filter((file) => !unitOnly || !file.startsWith('test/'))
  .sort();

if (!unitOnly) {
  const prepared = spawnSync(
    process.execPath,
    ['scripts/prepare-test-tools.ts', ...(e2e ? ['--node'] : [])],
    { stdio: 'inherit' },
  );
  if (prepared.status !== 0) process.exit(prepared.status ?? 1);
}

const result = spawnSync(
  process.execPath,
  e2e
    ? ['--test', '--test-concurrency=1', '--test-timeout=1500000', ...files]
    : ['--test', '--test-concurrency=3', '--test-timeout=600000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
