import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { codePoints, listMap, listSet, stringMap, uniqueBy, withRules } from './schema-kit.ts';

const messagesOf = (schema: z.ZodType, value: unknown) =>
  schema
    .safeParse(value)
    .error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

const range = withRules(z.strictObject({ low: z.int(), high: z.int() }), [
  {
    rule: 'self.low <= self.high',
    message: 'low must not exceed high',
    fieldPath: '.low',
    holds: (r) => r.low <= r.high,
  },
]);

test('a rule reports its message at its field path when it does not hold', () => {
  assert.deepEqual(messagesOf(range, { low: 2, high: 1 }), ['low: low must not exceed high']);
  assert.deepEqual(messagesOf(range, { low: 1, high: 1 }), []);
});

test('a rule travels to JSON Schema as an x-kubernetes-validations entry', () => {
  const json = z.toJSONSchema(range, { io: 'input' }) as Record<string, unknown>;
  assert.deepEqual(json['x-kubernetes-validations'], [
    { rule: 'self.low <= self.high', message: 'low must not exceed high', fieldPath: '.low' },
  ]);
});

test('a rule does not run on a value whose fields are already invalid', () => {
  assert.deepEqual(messagesOf(range, { low: 'a', high: 1 }), [
    'low: Invalid input: expected number, received string',
  ]);
});

test('a list map rejects two items with the same key and says which list', () => {
  const tiers = listMap(z.array(z.object({ name: z.string() })), ['name'], 'tier names');
  assert.deepEqual(messagesOf(tiers, [{ name: 'a' }, { name: 'a' }]), [
    ': tier names must be unique',
  ]);
  const json = z.toJSONSchema(tiers) as Record<string, unknown>;
  assert.equal(json['x-kubernetes-list-type'], 'map');
  assert.deepEqual(json['x-kubernetes-list-map-keys'], ['name']);
});

test('a list set rejects a repeated item', () => {
  const tags = listSet(z.array(z.string()), 'tags');
  assert.deepEqual(messagesOf(tags, ['a', 'b', 'a']), [': tags must not repeat']);
  assert.deepEqual(messagesOf(tags, ['a', 'b']), []);
});

test('a string map is bounded as the API server words it and checks every key', () => {
  const headers = stringMap(z.string(), 2, {
    rule: "k.matches('^[a-z]+$')",
    message: 'names are lowercase letters',
    holds: (key) => /^[a-z]+$/.test(key),
  });
  assert.deepEqual(messagesOf(headers, { a: '1', b: '2', c: '3' }), [
    ': must have at most 2 items',
  ]);
  assert.deepEqual(messagesOf(headers, { A: '1' }), [': names are lowercase letters']);
  assert.deepEqual(messagesOf(headers, { a: '1' }), []);
  const json = z.toJSONSchema(headers) as Record<string, unknown>;
  assert.equal(json.maxProperties, 2);
  assert.deepEqual(json['x-kubernetes-validations'], [
    { rule: "self.all(k, k.matches('^[a-z]+$'))", message: 'names are lowercase letters' },
  ]);
});

test('code points count a character outside the Basic Multilingual Plane once, as CEL does', () => {
  assert.equal(codePoints('😀a'), 2);
  assert.equal('😀a'.length, 3);
});

test('uniqueBy compares items by key', () => {
  assert.equal(
    uniqueBy([{ k: 1 }, { k: 2 }], (i) => String(i.k)),
    true,
  );
  assert.equal(
    uniqueBy([{ k: 1 }, { k: 1 }], (i) => String(i.k)),
    false,
  );
});
