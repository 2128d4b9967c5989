// The operator → proxy contract (core/config/published-names.ts, published-config.ts): what the
// operator writes, the proxy reads back to the same config and credentials — plain and gzipped,
// with dotted Secret names that collide — and a payload under any other key is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../core/compile/compile.ts';
import { CONFIG_KEYS, CONFIG_MAP_NAME } from '../../core/config/published-names.ts';
import { configMapFor } from '../../operator/publish/config-map.ts';
import { credentialsSecretFor } from '../../operator/publish/credentials-secret.ts';
import { publishedConfigOf } from '../../operator/publish/published-config.ts';
import { decodeConfig } from '../../proxy/cluster/decode-config.ts';
import { decodeCredentials } from '../../proxy/cluster/decode-credentials.ts';
import { ConfigStore } from '../../proxy/config/config-store.ts';
import { credentialKey } from '../../proxy/config/credential-store.ts';
import type { RawObject } from '../../core/compile/snapshot.ts';

const provider = (name: string): RawObject => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: { name, namespace: 'ai', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    api: 'openai',
    baseURL: `https://${name}.example/v1`,
    models: [
      { name: 'm', contextWindow: 8000, pricing: { inputPerMillion: 1, outputPerMillion: 2 } },
    ],
  },
});
const config = compile({
  providers: [provider('a'), provider('b')],
  policies: [],
  secrets: [],
}).config;

for (const compressAboveBytes of [Number.MAX_SAFE_INTEGER, 0]) {
  const encoding = compressAboveBytes === 0 ? 'gzipped' : 'plain';
  test(`a ${encoding} ConfigMap the operator writes is the config the proxy reads`, () => {
    const configMap = configMapFor(config, 'switchyard-system', compressAboveBytes) as {
      metadata: { name: string };
      data?: Record<string, string>;
      binaryData?: Record<string, string>;
    };
    assert.equal(configMap.metadata.name, CONFIG_MAP_NAME);
    assert.ok((compressAboveBytes === 0 ? configMap.binaryData : configMap.data) !== undefined);
    const decoded = decodeConfig(configMap);
    assert.deepEqual(decoded, config);
    const store = new ConfigStore();
    assert.deepEqual(store.load(decoded), { ok: true, changed: true, hash: config.configHash });
    assert.deepEqual(publishedConfigOf(configMap), config); // and the operator reads its own back
  });
}

test('a payload under a key outside the contract is refused by both sides', () => {
  const stray = { data: { [`${CONFIG_KEYS.json}.old`]: JSON.stringify(config) } };
  assert.throws(() => decodeConfig(stray), /neither/);
  assert.equal(publishedConfigOf(stray), undefined);
});

test('the credentials Secret the operator writes gives the proxy every key by its reference', () => {
  const refs = [
    { namespace: 'ai', secretName: 'b.c', key: 'd' },
    { namespace: 'ai', secretName: 'b', key: 'c.d' }, // the same data key as the first
  ];
  const secret = credentialsSecretFor(
    refs.map((ref, i) => ({ ref, base64Value: Buffer.from(`key-${i}`).toString('base64') })),
    'switchyard-system',
  );
  const { values, unmapped } = decodeCredentials(secret);
  assert.deepEqual(unmapped, []);
  assert.equal(values.get(credentialKey('ai', 'b.c', 'd')), 'key-0');
  assert.equal(values.get(credentialKey('ai', 'b', 'c.d')), 'key-1');
});
