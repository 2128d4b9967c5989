import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../compile/compile.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { parsePublishedConfig, readPublishedConfig } from './published-config.ts';

const config = compile({ providers: [], policies: [], secrets: [] }).config;

test('a published config reads back when its hash matches its content', () => {
  assert.deepEqual(readPublishedConfig(canonicalJson(config)), config);
});

test('an edited or truncated config is refused', () => {
  const edited = canonicalJson({ ...config, providers: [{ name: 'sneaky' }] });
  assert.throws(() => parsePublishedConfig(edited), /does not match/);
  assert.equal(readPublishedConfig(edited), undefined);
  assert.equal(readPublishedConfig(canonicalJson(config).slice(0, 20)), undefined);
});
