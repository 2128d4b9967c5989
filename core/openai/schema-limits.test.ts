import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_SCHEMA_LIMITS, clientSchemaProblem, depthOf } from './schema-limits.ts';

function nested(levels: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < levels; i++) value = { items: value };
  return value;
}

test('depth counts objects and arrays, scalars are 0, and stops counting at the bound', () => {
  const cases: [string, unknown, number][] = [
    ['a scalar', 'x', 0],
    ['an empty object', {}, 1],
    ['an array of objects', [{}, { a: [1] }], 3],
  ];
  for (const [name, value, depth] of cases) assert.equal(depthOf(value, 100), depth, name);
  let deep: unknown = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(depthOf(deep, 65), 65, 'a 100 000-level array costs 65 steps, not a stack overflow');
});

test('schemas within the limits pass; deeper or larger ones are named with the limit', () => {
  assert.equal(clientSchemaProblem(nested(CLIENT_SCHEMA_LIMITS.maxDepth - 1)), undefined);
  assert.match(
    clientSchemaProblem(nested(CLIENT_SCHEMA_LIMITS.maxDepth + 5)) ?? '',
    /nests deeper than 32 levels/,
  );
  const wide = { enum: Array.from({ length: 20_000 }, (_, i) => `value-${i}`) };
  assert.match(clientSchemaProblem(wide) ?? '', /characters of JSON; the limit is 65536/);
});
