import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelProviderSpec } from '../api/model-provider.ts';
import { routePolicySpec } from '../api/route-policy.ts';
import { formatPath, schemaIssues } from './spec-issues.ts';

const model = {
  name: 'm',
  contextWindow: 1000,
  pricing: { inputPerMillion: 1, outputPerMillion: 2 },
};

test('paths print like kubectl: dots for fields, brackets for indexes and odd keys', () => {
  assert.equal(formatPath('spec', ['models', 0, 'pricing']), 'spec.models[0].pricing');
  assert.equal(formatPath('spec', ['headers', 'x y']), 'spec.headers["x y"]');
  assert.equal(formatPath('', ['metadata', 'name']), 'metadata.name');
});

test('a valid spec has no issues', () => {
  assert.deepEqual(schemaIssues(modelProviderSpec, { api: 'openai', models: [model] }, 'spec'), []);
});

test('a quoted number keeps zod message and hints to drop the quotes, with the field docs', () => {
  const [issue] = schemaIssues(
    modelProviderSpec,
    { api: 'openai', models: [{ ...model, contextWindow: '1000' }] },
    'spec',
  );
  assert.equal(issue?.path, 'spec.models[0].contextWindow');
  assert.equal(issue?.message, 'Invalid input: expected number, received string');
  assert.match(issue?.hint ?? '', /^write the number without quotes; contextWindow is the maximum/);
});

test('an unknown field names the full path, a likely intended field and the valid ones', () => {
  const [issue] = schemaIssues(
    modelProviderSpec,
    { api: 'openai', models: [{ ...model, contextWindw: 5 }] },
    'spec',
  );
  assert.equal(issue?.path, 'spec.models[0]');
  assert.equal(issue?.message, 'Unrecognized key: "contextWindw"');
  assert.match(
    issue?.hint ?? '',
    /unknown field "spec\.models\[0\]\.contextWindw" \(did you mean "contextWindow"\?\)/,
  );
  assert.match(
    issue?.hint ?? '',
    /valid fields in spec\.models\[0\]: name, upstreamName, contextWindow/,
  );
});

test('a missing required field says it is required', () => {
  const [issue] = schemaIssues(modelProviderSpec, { models: [model] }, 'spec');
  assert.equal(issue?.path, 'spec.api');
  assert.match(issue?.hint ?? '', /^this field is required/);
});

test('a name breaking the shared pattern is explained in words', () => {
  const issues = schemaIssues(
    routePolicySpec,
    { model: 'auto', tiers: [{ name: 'Cheap', targets: [{ provider: 'p', model: 'm' }] }] },
    'spec',
  );
  assert.equal(issues[0]?.path, 'spec.tiers[0].name');
  assert.match(issues[0]?.hint ?? '', /^lower-case letters, digits and "-"/);
});

test('a cross-field rule carries its own message and no hint', () => {
  const [issue] = schemaIssues(
    modelProviderSpec,
    { api: 'openai', models: [{ ...model, maxOutputTokens: 2000 }] },
    'spec',
  );
  assert.equal(issue?.message, 'maxOutputTokens must not exceed contextWindow');
  assert.equal(issue?.hint, undefined);
});
