import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.ts';

test('object keys are sorted at every level and undefined is dropped', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: 0 }], c: null } }),
    '{"a":{"c":null,"d":[2,{"x":0,"z":1}]},"b":1}',
  );
});
