import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { RouterConfig } from '../../core/config/router-config.ts';
import { configMapFor } from './config-map.ts';
import { credentialsSecretFor } from './credentials-secret.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { holdsDesired } from './publisher.ts';

const config: RouterConfig = {
  schemaVersion: 1,
  configHash: 'a'.repeat(64),
  providers: [],
  routes: [],
};

test('a small config is stored as JSON with its hash annotated', () => {
  const map = configMapFor(config, 'ai');
  assert.deepEqual(Object.keys(map['data'] as object), ['config.json']);
  assert.equal(map['binaryData'], undefined);
  assert.equal(map.metadata.annotations?.['switchyard.dev/config-hash'], config.configHash);
  assert.equal(map.metadata.annotations?.['switchyard.dev/encoding'], 'json');
});

test('a config above the threshold is gzipped into binaryData, deterministically', () => {
  const first = configMapFor(config, 'ai', 10);
  const second = configMapFor(config, 'ai', 10);
  const gz = (first['binaryData'] as Record<string, string>)['config.json.gz']!;
  assert.equal(first['data'], undefined);
  assert.equal(gz, (second['binaryData'] as Record<string, string>)['config.json.gz']);
  assert.deepEqual(JSON.parse(gunzipSync(Buffer.from(gz, 'base64')).toString()), config);
});

test('the credentials Secret maps each data key back to its reference, even on a collision', () => {
  const secret = credentialsSecretFor(
    [
      { ref: { namespace: 'a', secretName: 'b.c', key: 'd' }, base64Value: 'MQ==' },
      { ref: { namespace: 'a', secretName: 'b', key: 'c.d' }, base64Value: 'Mg==' },
      { ref: { namespace: 'a', secretName: 'b', key: 'c.d' }, base64Value: 'Mg==' },
    ],
    'ai',
  );
  const data = secret['data'] as Record<string, string>;
  const refs = JSON.parse(
    secret.metadata.annotations!['switchyard.dev/credential-refs']!,
  ) as Record<string, string>;
  assert.equal(Object.keys(data).length, 2);
  assert.deepEqual(Object.values(refs).sort(), ['a/b.c/d', 'a/b/c.d']);
  for (const [dataKey, ref] of Object.entries(refs)) {
    assert.equal(data[dataKey], ref === 'a/b.c/d' ? 'MQ==' : 'Mg==');
    assert.match(dataKey, /^[-._a-zA-Z0-9]+$/);
  }
});

test('holdsDesired compares data exactly and labels/annotations as a subset', () => {
  const desired = configMapFor(config, 'ai');
  const stored: KubeObject = {
    ...desired,
    metadata: {
      ...desired.metadata,
      resourceVersion: '7',
      annotations: { ...desired.metadata.annotations, 'someone/else': 'x' },
    },
  };
  assert.equal(holdsDesired(stored, desired), true);
  assert.equal(holdsDesired({ ...stored, data: { 'config.json': '{}' } }, desired), false);
  assert.equal(
    holdsDesired({ ...stored, data: { ...(stored['data'] as object), extra: '1' } }, desired),
    false,
  );
  const unannotated = { ...stored, metadata: { ...stored.metadata, annotations: {} } };
  assert.equal(holdsDesired(unannotated, desired), false);
});
