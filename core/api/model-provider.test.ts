import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelProvider } from './model-provider.ts';

const provider = (spec: Record<string, unknown>) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: { name: 'openai' },
  spec: {
    api: 'openai',
    models: [
      {
        name: 'gpt-5',
        contextWindow: 400000,
        pricing: { inputPerMillion: 1.25, outputPerMillion: 10 },
      },
    ],
    ...spec,
  },
});

const issuesOf = (spec: Record<string, unknown>) =>
  modelProvider
    .safeParse(provider(spec))
    .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

test('a provider with only an api and one model gets every default', () => {
  const { spec } = modelProvider.parse(provider({}));
  assert.deepEqual(spec.dataPolicy, { trainsOnData: true, zeroDataRetention: false, regions: [] });
  assert.deepEqual(spec.circuitBreaker, {
    consecutiveFailures: 5,
    failureRatePercent: 50,
    minimumRequests: 20,
    windowSeconds: 60,
  });
  assert.deepEqual(spec.healthCheck, { enabled: false, intervalSeconds: 30 });
  assert.deepEqual(spec.models[0]?.capabilities, ['streaming']);
  assert.deepEqual(spec.models[0]?.tags, []);
  assert.equal(spec.auth, undefined);
});

test('a cooldown longer than the default maximum is accepted: the maximum is derived from it', () => {
  // maxCooldownSeconds has no static default (derived-defaults.ts), so 600 alone contradicts nothing.
  assert.deepEqual(issuesOf({ circuitBreaker: { cooldownSeconds: 600 } }), []);
  assert.deepEqual(issuesOf({ circuitBreaker: { maxCooldownSeconds: 10 } }), []);
});

test('a Secret reference defaults its key to apiKey', () => {
  const { spec } = modelProvider.parse(provider({ auth: { secretRef: { name: 'openai' } } }));
  assert.deepEqual(spec.auth?.secretRef, { name: 'openai', key: 'apiKey' });
});

const REJECTIONS: [string, Record<string, unknown>, string][] = [
  [
    'a cached price above the input price',
    {
      models: [
        {
          name: 'm',
          contextWindow: 10,
          pricing: { inputPerMillion: 1, outputPerMillion: 1, cachedInputPerMillion: 2 },
        },
      ],
    },
    'spec.models.0.pricing.cachedInputPerMillion: cachedInputPerMillion must not exceed inputPerMillion',
  ],
  [
    'more output tokens than the context window',
    {
      models: [
        {
          name: 'm',
          contextWindow: 10,
          maxOutputTokens: 11,
          pricing: { inputPerMillion: 1, outputPerMillion: 1 },
        },
      ],
    },
    'spec.models.0.maxOutputTokens: maxOutputTokens must not exceed contextWindow',
  ],
  [
    'a cooldown longer than the maximum cooldown',
    { circuitBreaker: { cooldownSeconds: 301, maxCooldownSeconds: 300 } },
    'spec.circuitBreaker.cooldownSeconds: cooldownSeconds must not exceed maxCooldownSeconds',
  ],
  [
    'two models with the same name',
    {
      models: [
        { name: 'm', contextWindow: 10, pricing: { inputPerMillion: 1, outputPerMillion: 1 } },
        { name: 'm', contextWindow: 20, pricing: { inputPerMillion: 1, outputPerMillion: 1 } },
      ],
    },
    'spec.models: model names must be unique',
  ],
  [
    'a header name with a space',
    { headers: { 'X Team': 'a' } },
    "spec.headers: header names must be 1 to 128 letters, digits or '-'",
  ],
  [
    'more than 32 headers',
    { headers: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-${i}`, 'v'])) },
    'spec.headers: must have at most 32 items',
  ],
  ['a base URL without a scheme', { baseURL: 'api.openai.com/v1' }, 'spec.baseURL: Invalid string'],
  ['an unknown field', { fallback: 'x' }, 'spec: Unrecognized key: "fallback"'],
];

for (const [name, spec, message] of REJECTIONS) {
  test(`a provider with ${name} is rejected with a message that says so`, () => {
    const issues = issuesOf(spec);
    assert.ok(
      issues.some((issue) => issue.startsWith(message)),
      issues.join('\n'),
    );
  });
}
