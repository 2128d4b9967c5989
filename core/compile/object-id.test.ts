import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAge, type ObjectId } from './object-id.ts';

const id = (namespace: string, name: string, createdAt?: string): ObjectId => ({
  kind: 'RoutePolicy',
  namespace,
  name,
  generation: 0,
  createdAt,
});

const oldestFirst = (...ids: ObjectId[]) =>
  [...ids].sort(compareAge).map((i) => `${i.namespace}/${i.name}`);

test('the older creationTimestamp comes first whatever the names', () => {
  assert.deepEqual(
    oldestFirst(id('a', 'a', '2025-02-01T00:00:00Z'), id('z', 'z', '2025-01-01T00:00:00Z')),
    ['z/z', 'a/a'],
  );
});

test('timestamps are compared as instants, not as strings', () => {
  assert.deepEqual(
    oldestFirst(id('a', 'a', '2025-01-01T01:00:00Z'), id('b', 'b', '2025-01-01T00:30:00-01:00')),
    ['a/a', 'b/b'],
  );
});

test('equal timestamps fall back to namespace, then name', () => {
  const at = '2025-01-01T00:00:00Z';
  assert.deepEqual(oldestFirst(id('b', 'a', at), id('a', 'b', at), id('a', 'a', at)), [
    'a/a',
    'a/b',
    'b/a',
  ]);
});

test('an object without a timestamp counts as newer than every stored one', () => {
  assert.deepEqual(oldestFirst(id('a', 'a'), id('z', 'z', '2030-01-01T00:00:00Z')), ['z/z', 'a/a']);
});
