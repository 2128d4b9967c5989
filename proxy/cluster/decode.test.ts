import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { configHashOf } from '../../core/compile/assemble-config.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import { decodeConfig } from './decode-config.ts';
import { decodeCredentials } from './decode-credentials.ts';

const body = { schemaVersion: 1 as const, providers: [], routes: [] };
const config = { ...body, configHash: configHashOf(body) };

test('a config is read from config.json or from gzip in binaryData', () => {
  const json = canonicalJson(config);
  assert.deepEqual(decodeConfig({ data: { 'config.json': json } }), config);
  const gz = gzipSync(json).toString('base64');
  assert.deepEqual(decodeConfig({ binaryData: { 'config.json.gz': gz } }), config);
});

test('a config whose content does not match its hash is refused', () => {
  const tampered = { ...config, routes: [{ alias: 'x' }] };
  assert.throws(
    () => decodeConfig({ data: { 'config.json': JSON.stringify(tampered) } }),
    /does not match/,
  );
});

test('a ConfigMap without a payload, or with broken JSON or gzip, is refused', () => {
  assert.throws(() => decodeConfig({ data: {} }), /neither/);
  assert.throws(() => decodeConfig({ data: { 'config.json': '{' } }));
  assert.throws(() => decodeConfig({ binaryData: { 'config.json.gz': 'bm90IGd6aXA=' } }));
});

test('credentials are keyed by namespace/secret/key through the annotation', () => {
  const decoded = decodeCredentials({
    metadata: {
      annotations: {
        'switchyard.dev/credential-refs': JSON.stringify({
          'ai.b.c.d': 'ai/b.c/d',
          'ai.b.c.d.2': 'ai/b/c.d',
        }),
      },
    },
    data: {
      'ai.b.c.d': Buffer.from('one').toString('base64'),
      'ai.b.c.d.2': Buffer.from('two').toString('base64'),
      stray: Buffer.from('three').toString('base64'),
    },
  });
  assert.deepEqual([...decoded.values].sort(), [
    ['ai/b.c/d', 'one'],
    ['ai/b/c.d', 'two'],
  ]);
  assert.deepEqual(decoded.unmapped, ['stray']);
});
