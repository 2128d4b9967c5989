import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// The repository's own checks run as part of `npm test`, so CI enforces them: the lint rules keep
// core/ pure and operator/ and proxy/ apart (see eslint.config.js).
const bin = (name: string): string => `node_modules/.bin/${name}`;

function check(command: string, args: string[]): { code: number | null; output: string } {
  const result = spawnSync(process.execPath, [bin(command), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

test('eslint passes with no warnings (purity of core/, operator/proxy separation, type-aware rules)', () => {
  const { code, output } = check('eslint', ['.', '--max-warnings=0']);
  assert.equal(code, 0, output);
});

test('the TypeScript compiler finds no error', () => {
  const { code, output } = check('tsc', ['-p', 'tsconfig.json']);
  assert.equal(code, 0, output);
});

test('every file is formatted with prettier', () => {
  const { code, output } = check('prettier', ['--check', '.']);
  assert.equal(code, 0, output);
});
