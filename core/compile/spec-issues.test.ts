import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { modelProviderSpec } from '../api/model-provider.ts';
import { routePolicySpec } from '../api/route-policy.ts';
import { withRules } from '../api/schema-kit.ts';
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

// A defaulted field is never "required": when a rule names a field the manifest leaves out, the
// value that broke it is the default, and the hint says so.
const ruleOverDefault = withRules(
  z.strictObject({
    low: z.int().default(10).meta({ description: 'low is the lower one. Defaults to 10.' }),
    high: z.int(),
  }),
  [
    {
      rule: 'self.low <= self.high',
      message: 'low must not exceed high',
      fieldPath: '.low',
      holds: (v) => v.low <= v.high,
    },
  ],
);

const ABSENT_FIELD_HINTS: [string, z.ZodType, unknown, string, RegExp | undefined][] = [
  [
    'a missing field without a default is required',
    modelProviderSpec,
    { models: [model] },
    'spec.api',
    /^this field is required; api is the wire protocol/,
  ],
  [
    'a missing required field inside an optional object is required',
    routePolicySpec,
    {
      model: 'auto',
      tiers: [{ name: 't', targets: [{ provider: 'p', model: 'm' }] }],
      governance: { sensitive: {} },
    },
    'spec.governance.pool',
    /^this field is required; pool: the data policy/,
  ],
  [
    'a rule broken by a default says the default applies and never that the field is required',
    ruleOverDefault,
    { high: 3 },
    'spec.low',
    /^this field is not set, so its default applies; set it explicitly; low is the lower one\. Defaults to 10\.$/,
  ],
];

for (const [name, schema, value, path, hint] of ABSENT_FIELD_HINTS) {
  test(name, () => {
    const issue = schemaIssues(schema, value, 'spec').find((i) => i.path === path);
    assert.ok(issue, `no issue at ${path}`);
    if (hint === undefined) assert.equal(issue.hint, undefined);
    else assert.match(issue.hint ?? '', hint);
  });
}

test('a policy with only a 3-second attempt timeout has no issue at all', () => {
  const spec = {
    model: 'auto',
    tiers: [{ name: 't', targets: [{ provider: 'p', model: 'm' }] }],
    failover: { attemptTimeoutMs: 3000, retries: { max: 1 } },
  };
  assert.deepEqual(schemaIssues(routePolicySpec, spec, 'spec'), []);
});
