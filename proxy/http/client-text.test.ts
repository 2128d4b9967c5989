import assert from 'node:assert/strict';
import { test } from 'node:test';
import { echoed, MAX_ECHOED_CHARS } from './client-text.ts';

test('short values are echoed as they are, long ones cut with their length', () => {
  assert.equal(echoed('gpt-5'), 'gpt-5');
  const long = 'm'.repeat(6000);
  const cut = echoed(long);
  assert.equal(cut, `${'m'.repeat(MAX_ECHOED_CHARS)}… (6000 characters)`);
});
