// zod and the generated CRD must agree on every manifest: what `switchyard validate` accepts, the
// API server accepts, with the same defaults; what one rejects, the other rejects. The API server
// is emulated from the CRD files in crds/ (see api-server-emulation.ts); the real one sees the
// bad-manifest fixtures in the control-plane suite.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  judgeWithCrd,
  judgeWithZod,
  kindOf,
  readBadManifests,
  readManifests,
  yamlFilesUnder,
  type Kind,
} from './verdicts.ts';

function assertAgree(kind: Kind, doc: unknown, label: string): boolean {
  const zod = judgeWithZod(kind, doc);
  const crd = judgeWithCrd(kind, doc);
  assert.equal(
    zod.valid,
    crd.valid,
    `${label}: zod says ${zod.valid ? 'valid' : 'invalid'}, the CRD says ${crd.valid ? 'valid' : 'invalid'}\n` +
      `zod: ${zod.errors.join('; ')}\nCRD: ${crd.errors.join('; ')}\n${JSON.stringify(doc)}`,
  );
  // Defaults written twice (zod .default() and the CRD's default:) must be the same defaults.
  if (zod.valid) assert.deepEqual(crd.stored, zod.output, `${label}: defaults differ`);
  return zod.valid;
}

describe('manifests that must be valid', () => {
  const files = [...yamlFilesUnder('examples'), ...yamlFilesUnder('test/crd/fixtures')];
  for (const file of files) {
    for (const [index, { doc }] of readManifests(file).entries()) {
      const kind = kindOf(doc);
      if (!kind) continue;
      test(`${file} document ${index + 1} is valid for zod and the CRD, with the same defaults`, () => {
        assert.equal(assertAgree(kind, doc, file), true, `${file}: expected a valid ${kind}`);
      });
    }
  }
});

describe('bad manifests', () => {
  const fixtures = readBadManifests();
  test('there is a bad-manifest fixture for at least 20 CRD rules', () => {
    assert.ok(fixtures.length >= 20, `only ${fixtures.length} crd-*.yaml fixtures`);
  });
  for (const fixture of fixtures) {
    test(`a manifest with ${fixture.sentence} is rejected by zod and the CRD with the expected messages`, () => {
      const kind = kindOf(fixture.doc);
      assert.ok(kind, `${fixture.file}: not a ModelProvider or RoutePolicy`);
      assert.equal(assertAgree(kind, fixture.doc, fixture.file), false, `${fixture.file} is valid`);
      const zod = judgeWithZod(kind, fixture.doc).errors.join('\n');
      assert.ok(zod.includes(fixture.expectZod), `zod printed:\n${zod}`);
      // The emulation words errors as Kubernetes does; the real API server confirms it in the
      // control-plane suite.
      const crd = judgeWithCrd(kind, fixture.doc).errors.join('\n');
      assert.ok(crd.includes(fixture.expectApiServer), `the CRD printed:\n${crd}`);
    });
  }
});

const provider = (spec: Record<string, unknown>) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: { name: 'p' },
  spec: {
    api: 'openai',
    models: [
      { name: 'm', contextWindow: 1000, pricing: { inputPerMillion: 1, outputPerMillion: 2 } },
    ],
    ...spec,
  },
});
const policy = (spec: Record<string, unknown>) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'RoutePolicy',
  metadata: { name: 'r' },
  spec: {
    model: 'auto',
    tiers: [{ name: 't', targets: [{ provider: 'p', model: 'm' }] }],
    ...spec,
  },
});
const model = (fields: Record<string, unknown>) => ({
  models: [
    {
      name: 'm',
      contextWindow: 1000,
      pricing: { inputPerMillion: 1, outputPerMillion: 2 },
      ...fields,
    },
  ],
});
const rule = (match: Record<string, unknown>) => ({
  classification: { rules: [{ name: 'r', tier: 't', match }] },
});

const EDGE_CASES: { name: string; valid: boolean; doc: { kind: string } }[] = [
  {
    name: 'a cached price equal to the input price',
    valid: true,
    doc: provider(
      model({ pricing: { inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: 1 } }),
    ),
  },
  {
    name: 'a cached price written as an integer above a fractional input price',
    valid: false,
    doc: provider(
      model({ pricing: { inputPerMillion: 0.5, outputPerMillion: 2, cachedInputPerMillion: 1 } }),
    ),
  },
  {
    name: 'maxOutputTokens equal to contextWindow',
    valid: true,
    doc: provider(model({ maxOutputTokens: 1000 })),
  },
  { name: 'an empty header name', valid: false, doc: provider({ headers: { '': 'x' } }) },
  {
    name: 'a header value of 1025 characters',
    valid: false,
    doc: provider({ headers: { X: 'v'.repeat(1025) } }),
  },
  {
    name: 'a tag with an underscore',
    valid: false,
    doc: provider(model({ tags: ['long_context'] })),
  },
  {
    name: 'a region in capitals',
    valid: false,
    doc: provider({ dataPolicy: { regions: ['EU'] } }),
  },
  {
    name: 'a region listed twice',
    valid: false,
    doc: provider({ dataPolicy: { regions: ['eu', 'eu'] } }),
  },
  {
    name: 'a Secret key with a slash',
    valid: false,
    doc: provider({ auth: { secretRef: { name: 's', key: 'a/b' } } }),
  },
  {
    name: 'a model name ending with a dot',
    valid: false,
    doc: provider(model({ name: 'gpt-5.' })),
  },
  {
    name: 'a health check every 4 seconds',
    valid: false,
    doc: provider({ healthCheck: { intervalSeconds: 4 } }),
  },
  {
    name: 'a circuit breaker whose cooldown equals its maximum',
    valid: true,
    doc: provider({ circuitBreaker: { cooldownSeconds: 300 } }),
  },
  {
    name: 'an ordered tier whose targets all weigh zero',
    valid: true,
    doc: policy({
      tiers: [
        { name: 't', strategy: 'ordered', targets: [{ provider: 'p', model: 'm', weight: 0 }] },
      ],
    }),
  },
  {
    name: 'a weighted tier with one target of weight one',
    valid: true,
    doc: policy({
      tiers: [
        {
          name: 't',
          strategy: 'weighted',
          targets: [
            { provider: 'p', model: 'm', weight: 0 },
            { provider: 'p', model: 'n' },
          ],
        },
      ],
    }),
  },
  {
    name: 'the same model of two providers in one tier',
    valid: true,
    doc: policy({
      tiers: [
        {
          name: 't',
          targets: [
            { provider: 'p', model: 'm' },
            { provider: 'q', model: 'm' },
          ],
        },
      ],
    }),
  },
  {
    name: 'a weight above 1000',
    valid: false,
    doc: policy({ tiers: [{ name: 't', targets: [{ provider: 'p', model: 'm', weight: 1001 }] }] }),
  },
  {
    name: 'a tier without targets',
    valid: false,
    doc: policy({ tiers: [{ name: 't', targets: [] }] }),
  },
  {
    name: 'a rule matching only hasTools false',
    valid: true,
    doc: policy(rule({ hasTools: false })),
  },
  {
    name: 'a rule matching minPromptTokens zero',
    valid: true,
    doc: policy(rule({ minPromptTokens: 0 })),
  },
  {
    name: 'a rule matching an empty keyword list',
    valid: true,
    doc: policy(rule({ keywords: [] })),
  },
  { name: 'an empty keyword', valid: false, doc: policy(rule({ keywords: [''] })) },
  {
    name: 'an unknown response format',
    valid: false,
    doc: policy(rule({ responseFormat: 'yaml' })),
  },
  { name: 'an empty metadata key', valid: false, doc: policy(rule({ metadata: { '': 'x' } })) },
  {
    name: 'a metadata key of 64 characters outside the Basic Multilingual Plane',
    valid: true,
    doc: policy(rule({ metadata: { ['😀'.repeat(64)]: 'x' } })),
  },
  {
    name: 'a default tier that exists',
    valid: true,
    doc: policy({ classification: { default: 't' } }),
  },
  {
    name: 'a classifier timeout of 9 ms',
    valid: false,
    doc: policy({
      classification: { classifier: { target: { provider: 'p', model: 'm' }, timeoutMs: 9 } },
    }),
  },
  {
    name: 'timeouts that are all equal',
    valid: true,
    doc: policy({
      failover: { attemptTimeoutMs: 5000, ttftTimeoutMs: 5000, totalTimeoutMs: 5000 },
    }),
  },
  {
    name: 'only a 3-second attempt timeout (the TTFT timeout follows it down)',
    valid: true,
    doc: policy({ failover: { attemptTimeoutMs: 3000 } }),
  },
  {
    name: 'a hedge one millisecond before the attempt timeout',
    valid: true,
    doc: policy({ failover: { hedgeAfterMs: 29999 } }),
  },
  {
    name: 'a retry on a 399',
    valid: false,
    doc: policy({ failover: { retries: { onStatus: [399] } } }),
  },
  {
    name: 'a pool that only forbids training',
    valid: true,
    doc: policy({ governance: { pool: { trainsOnData: false } } }),
  },
  {
    name: 'a pool with an empty region list',
    valid: true,
    doc: policy({ governance: { pool: { regions: [] } } }),
  },
  {
    name: 'a sensitivity header with a space',
    valid: false,
    doc: policy({
      governance: { sensitive: { header: 'x sensitive' }, pool: { trainsOnData: false } },
    }),
  },
  { name: 'a budget of one cent', valid: true, doc: policy({ budget: { monthlyUSD: 0.01 } }) },
  {
    name: 'an unknown budget action',
    valid: false,
    doc: policy({ budget: { monthlyUSD: 1, onExhausted: 'panic' } }),
  },
  {
    name: 'a semantic cache threshold of exactly 1',
    valid: true,
    doc: policy({ cache: { semantic: { threshold: 1 } } }),
  },
  {
    name: 'a semantic cache threshold above 1',
    valid: false,
    doc: policy({ cache: { semantic: { threshold: 1.01 } } }),
  },
  { name: 'an alias with a slash', valid: false, doc: policy({ model: 'team/auto' }) },
];

describe('edge cases', () => {
  for (const { name, valid, doc } of EDGE_CASES) {
    test(`${name} is ${valid ? 'accepted' : 'rejected'} by zod and the CRD alike`, () => {
      const kind = kindOf(doc)!;
      assert.equal(assertAgree(kind, doc, name), valid);
    });
  }
});

test('the API server drops a null field that zod rejects (a known difference)', () => {
  // YAML `limits:` with nothing after it is null. The API server prunes nulls of non-nullable
  // fields before validating; zod sees the null. Tools that parse manifests themselves should
  // drop nulls first to match kubectl.
  const doc = provider({ limits: null });
  assert.equal(judgeWithCrd('ModelProvider', doc).valid, true);
  assert.equal(judgeWithZod('ModelProvider', doc).valid, false);
});

// ---------------------------------------------------------------- property tests

// Mostly valid values with the occasional invalid one, so that both verdicts occur often and the
// cross-field rules (which only run on otherwise valid objects) are exercised.
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: good, weight: 30 }, { arbitrary: bad, weight: 1 });
}
// Lists whose items are usually unique by key, sometimes not.
function list<T>(item: fc.Arbitrary<T>, key: (item: T) => string, minLength = 0, maxLength = 3) {
  return mostly(
    fc.uniqueArray(item, { selector: key, minLength, maxLength }),
    fc.array(item, { minLength, maxLength }),
  );
}
const optional = { requiredKeys: [] as never[] };
const fraction = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true }).map((x) => x + 0); // + 0 turns -0 into 0
const headerKey = mostly(
  fc.constantFrom('X-Team', 'x-task', 'Accept'),
  fc.constantFrom('bad key', '', 'a:b'),
);

const pricingArb = fc.record(
  {
    inputPerMillion: mostly(fraction(0.5, 3), fc.constantFrom(-1, 100001)),
    outputPerMillion: mostly(fc.constantFrom(0, 2, 100000), fc.constant(-0.01)),
    // Usually below the input price, which the cross-field rule requires.
    cachedInputPerMillion: mostly(fraction(0, 0.5), fraction(3, 5)),
    cacheWritePerMillion: fraction(0, 4),
  },
  { requiredKeys: ['inputPerMillion', 'outputPerMillion'] },
);
const modelArb = fc.record(
  {
    name: mostly(
      fc.constantFrom('a', 'b', 'c', 'gpt-5', 'x.y:z', 'Model_1'),
      fc.constantFrom('Bad Name', 'end.'),
    ),
    upstreamName: mostly(fc.constantFrom('x', 'org/Model-1'), fc.constant('')),
    contextWindow: mostly(
      fc.integer({ min: 5, max: 10 }),
      fc.constantFrom(0, 100000001, 1.5, '8k'),
    ),
    maxOutputTokens: mostly(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 6, max: 11 })),
    pricing: pricingArb,
    capabilities: list(
      mostly(fc.constantFrom('tools', 'json', 'streaming', 'vision'), fc.constant('audio')),
      String,
    ),
    tags: list(mostly(fc.constantFrom('code', 'long-context'), fc.constant('Bad_Tag')), String),
  },
  { requiredKeys: ['name', 'contextWindow', 'pricing'] },
);

const providerArb = fc
  .record(
    {
      api: mostly(fc.constantFrom('openai', 'anthropic', 'gemini'), fc.constant('grpc')),
      baseURL: mostly(
        fc.constantFrom('https://api.example.com/v1', 'http://127.0.0.1:18101/v1'),
        fc.constantFrom('ftp://x', 'https://', 'http://a b'),
      ),
      auth: fc.record({
        secretRef: fc.record(
          {
            name: mostly(fc.constant('openai'), fc.constant('Bad')),
            key: mostly(fc.constant('apiKey'), fc.constant('a/b')),
          },
          { requiredKeys: ['name'] },
        ),
      }),
      headers: fc.dictionary(headerKey, fc.constantFrom('v', ''), { maxKeys: 3 }),
      dataPolicy: fc.record(
        {
          trainsOnData: fc.boolean(),
          regions: list(mostly(fc.constantFrom('eu', 'us'), fc.constant('EU')), String),
        },
        optional,
      ),
      limits: fc.record(
        { requestsPerMinute: mostly(fc.integer({ min: 1, max: 3 }), fc.constant(0)) },
        optional,
      ),
      circuitBreaker: mostly<Record<string, number>>(
        fc.record(
          { cooldownSeconds: fc.constantFrom(1, 30, 300), maxCooldownSeconds: fc.constant(300) },
          optional,
        ),
        fc.record(
          {
            cooldownSeconds: fc.constantFrom(301, 3600, 3601),
            maxCooldownSeconds: fc.constantFrom(1, 300, 86401),
          },
          optional,
        ),
      ),
      healthCheck: fc.record(
        { enabled: fc.boolean(), intervalSeconds: mostly(fc.constantFrom(5, 30), fc.constant(4)) },
        optional,
      ),
      models: list(modelArb, (m) => m.name, 1, 3),
      bogus: fc.constant(true),
    },
    { requiredKeys: ['api', 'models'] },
  )
  .chain((spec) => mostly(fc.constant(dropBogus(spec)), fc.constant(spec)))
  .map((spec) => ({
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'ModelProvider',
    metadata: { name: 'p' },
    spec,
  }));

function dropBogus<T extends { bogus?: unknown }>(spec: T): Omit<T, 'bogus'> {
  const { bogus: _bogus, ...rest } = spec;
  return rest;
}

const TIER_NAMES = ['budget', 'standard', 'premium'];
const tierName = mostly(fc.constantFrom(...TIER_NAMES), fc.constant('Bad'));
const ms = fc.constantFrom(100, 2000, 3000, 10000, 30000, 120000);
const targetArb = fc.record(
  {
    provider: mostly(fc.constantFrom('openai', 'qwen'), fc.constant('Bad')),
    model: fc.constantFrom('m1', 'm2'),
    weight: mostly(fc.constantFrom(0, 1, 5), fc.constant(1001)),
  },
  { requiredKeys: ['provider', 'model'] },
);
const tierArb = fc.record(
  {
    name: tierName,
    strategy: mostly(
      fc.constantFrom('cheapest', 'weighted', 'ordered', 'fastest'),
      fc.constant('random'),
    ),
    targets: list(targetArb, (t) => `${t.provider}/${t.model}`, 1, 3),
  },
  { requiredKeys: ['name', 'targets'] },
);
const matchArb = fc.record(
  {
    keywords: fc.array(mostly(fc.constant('x'), fc.constant('')), { maxLength: 2 }),
    minPromptTokens: mostly(fc.integer({ min: 0, max: 3 }), fc.constant(-1)),
    maxPromptTokens: mostly(fc.integer({ min: 3, max: 5 }), fc.integer({ min: 0, max: 2 })),
    hasTools: fc.boolean(),
    responseFormat: mostly(fc.constantFrom('text', 'json_object'), fc.constant('yaml')),
    headers: fc.dictionary(headerKey, fc.constant('v'), { maxKeys: 2 }),
    metadata: fc.dictionary(
      mostly(fc.constant('team'), fc.constantFrom('', 'k'.repeat(65))),
      fc.constant('v'),
      { maxKeys: 2 },
    ),
  },
  optional,
);
const ruleArb = fc.record(
  {
    name: fc.constantFrom('r1', 'r2', 'r3'),
    tier: mostly(fc.constant('budget'), tierName),
    match: matchArb,
    preferTags: list(fc.constantFrom('code', 'x'), String, 0, 2),
  },
  { requiredKeys: ['name', 'tier', 'match'] },
);
// Usually ttft <= attempt <= total and hedge < attempt, as the rules require.
const failoverArb = fc
  .tuple(ms, ms, ms, fc.constantFrom(0, 0, 100, 3000))
  .chain(([a, b, c, hedge]) => {
    const [ttft, attempt, total] = [a, b, c].sort((x, y) => x - y);
    return mostly(
      fc.constant({
        ttftTimeoutMs: ttft,
        attemptTimeoutMs: attempt,
        totalTimeoutMs: total,
        hedgeAfterMs: hedge < attempt! ? hedge : 0,
      }),
      fc.constant({
        ttftTimeoutMs: a,
        attemptTimeoutMs: b,
        totalTimeoutMs: c,
        hedgeAfterMs: hedge,
      }),
    );
  })
  .chain((timeouts) =>
    fc.record(
      {
        attemptTimeoutMs: fc.constant(timeouts.attemptTimeoutMs),
        ttftTimeoutMs: fc.constant(timeouts.ttftTimeoutMs),
        totalTimeoutMs: fc.constant(timeouts.totalTimeoutMs),
        hedgeAfterMs: fc.constant(timeouts.hedgeAfterMs),
        maxAttempts: mostly(fc.constantFrom(1, 4, 20), fc.constantFrom(0, 21)),
        retries: fc.record(
          {
            max: mostly(fc.constantFrom(0, 3), fc.constant(11)),
            initialBackoffMs: mostly(fc.constantFrom(0, 200), fc.constant(5000)),
            maxBackoffMs: mostly(fc.constantFrom(2000, 60000), fc.constantFrom(0, 300001)),
            onStatus: list(mostly(fc.constantFrom(429, 503), fc.constant(399)), String),
          },
          optional,
        ),
        escalate: fc.boolean(),
      },
      // Any timeout may be left out: its default follows the ones written (derived-defaults.ts).
      optional,
    ),
  );
const policyArb = fc
  .record(
    {
      model: mostly(fc.constant('auto'), fc.constant('bad/alias')),
      tiers: list(tierArb, (t) => t.name, 1, 3),
      classification: fc.record(
        {
          default: mostly(fc.constant('budget'), tierName),
          rules: list(ruleArb, (r) => r.name, 0, 2),
          classifier: fc.record(
            {
              target: fc.constant({ provider: 'qwen', model: 'm' }),
              timeoutMs: mostly(fc.constantFrom(10, 300), fc.constant(9)),
            },
            { requiredKeys: ['target'] },
          ),
          allowClientTier: fc.boolean(),
        },
        optional,
      ),
      failover: failoverArb,
      latency: fc.record({ interactiveTtftMs: mostly(fc.constant(1500), fc.constant(0)) }),
      governance: fc.record(
        {
          sensitive: fc.record(
            {
              header: mostly(fc.constant('x-sensitive'), fc.constant('bad header')),
              patterns: fc.array(mostly(fc.constant('\\d+'), fc.constant('')), { maxLength: 2 }),
            },
            optional,
          ),
          pool: mostly(
            fc.record(
              {
                zeroDataRetention: fc.boolean(),
                trainsOnData: fc.boolean(),
                regions: list(fc.constantFrom('eu', 'in-cluster'), String, 0, 2),
              },
              { requiredKeys: ['trainsOnData'] },
            ),
            fc.constant({}),
          ),
        },
        { requiredKeys: ['pool'] },
      ),
      budget: fc.record(
        {
          monthlyUSD: mostly(fc.constantFrom(0.01, 5000), fc.constant(0)),
          downgradeAtPercent: mostly(fc.constantFrom(1, 80, 100), fc.constant(101)),
          onExhausted: mostly(fc.constantFrom('cheapest', 'reject'), fc.constant('panic')),
        },
        { requiredKeys: ['monthlyUSD'] },
      ),
      cache: mostly(
        fc.record(
          {
            exact: fc.record({ ttlSeconds: mostly(fc.constant(3600), fc.constant(0)) }, optional),
            semantic: fc.record(
              { threshold: mostly(fc.constantFrom(0.5, 0.95, 1), fc.constantFrom(0.49, 1.01)) },
              optional,
            ),
          },
          { requiredKeys: ['exact'] },
        ),
        fc.constant({}),
      ),
    },
    { requiredKeys: ['model', 'tiers'] },
  )
  .map((spec) => ({
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'RoutePolicy',
    metadata: { name: 'r' },
    spec,
  }));

function agreeOnRandom(kind: Kind, arbitrary: fc.Arbitrary<unknown>): void {
  const verdicts = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(arbitrary, (doc) => {
      verdicts[assertAgree(kind, doc, `random ${kind}`) ? 'valid' : 'invalid']++;
    }),
    { numRuns: 600 },
  );
  // A property that only ever sees one verdict proves little.
  assert.ok(verdicts.valid >= 60 && verdicts.invalid >= 60, JSON.stringify(verdicts));
}

test('random model providers get the same verdict and defaults from zod and the CRD', () => {
  agreeOnRandom('ModelProvider', providerArb);
});

test('random route policies get the same verdict and defaults from zod and the CRD', () => {
  agreeOnRandom('RoutePolicy', policyArb);
});
