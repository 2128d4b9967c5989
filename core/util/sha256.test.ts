import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256Hex } from './sha256.ts';

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

test('the empty string hashes to the published FIPS 180-4 digest', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('"abc" hashes to the published FIPS 180-4 digest', () => {
  assert.equal(
    sha256Hex('abc'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

test('messages around the 55/56/64-byte padding boundaries match node:crypto', () => {
  for (let length = 0; length <= 200; length++) {
    const text = 'a'.repeat(length);
    assert.equal(sha256Hex(text), nodeSha256(text), `length ${length}`);
  }
});

test('a megabyte-long message matches node:crypto', () => {
  const text = 'switchyard '.repeat(100_000);
  assert.equal(sha256Hex(text), nodeSha256(text));
});

test('any string, multi-byte characters and lone surrogates included, matches node:crypto', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      assert.equal(sha256Hex(text), nodeSha256(text));
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 100 }), (text) => {
      assert.equal(sha256Hex(text), nodeSha256(text));
    }),
  );
});

test('strings with lone surrogates hash like their U+FFFD replacement, as Node encodes them', () => {
  for (const text of ['\ud800', 'a\udc00b', '\udbff\ud800', '😀\ud83d']) {
    assert.equal(sha256Hex(text), nodeSha256(text));
  }
});
