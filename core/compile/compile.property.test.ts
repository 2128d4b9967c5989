// Properties of compile() over generated snapshots: a small universe of names, so that conflicts,
// dangling references, missing Secrets, invalid specs and patterns occur often.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MODEL_CAPABILITIES, PROVIDER_APIS } from '../api/model-provider.ts';
import { routerConfig, type ProviderConfig } from '../config/router-config.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { configHashOf } from './assemble-config.ts';
import { compile } from './compile.ts';
import type { RawObject, SecretSummary, Snapshot } from './snapshot.ts';

const PROVIDERS = ['alpha', 'beta', 'gamma'];
const MODELS = ['m1', 'm2', 'm3'];
const SECRETS = ['keys', 'other'];
const TIMESTAMPS = ['2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'];

// Mostly one namespace, so that targets usually find their providers.
const namespace = fc.oneof(
  { weight: 4, arbitrary: fc.constant('ai') },
  { weight: 1, arbitrary: fc.constant('team') },
);

const metadata = (names: readonly string[]) =>
  fc.record(
    {
      name: fc.constantFrom(...names),
      namespace: namespace,
      generation: fc.nat({ max: 5 }),
      creationTimestamp: fc.constantFrom(...TIMESTAMPS),
    },
    { requiredKeys: ['name', 'namespace'] },
  );

const model = fc.record(
  {
    name: fc.constantFrom(...MODELS),
    contextWindow: fc.integer({ min: 1000, max: 200000 }),
    pricing: fc.record(
      {
        inputPerMillion: fc.constantFrom(0, 0.5, 3),
        outputPerMillion: fc.constantFrom(0, 1, 15),
        reasoningPerMillion: fc.constantFrom(2, 20),
      },
      { requiredKeys: ['inputPerMillion', 'outputPerMillion'] },
    ),
    capabilities: fc.subarray([...MODEL_CAPABILITIES]),
    tags: fc.subarray(['code', 'cheap', 'extraction']),
    upstreamName: fc.constantFrom('upstream-a', 'upstream-b'),
  },
  { requiredKeys: ['name', 'contextWindow', 'pricing'] },
);

const providerSpec = fc.record(
  {
    api: fc.constantFrom(...PROVIDER_APIS),
    baseURL: fc.constantFrom('https://llm.example.com/v1/', 'http://vllm.ai.svc:8000/v1'),
    auth: fc.record({
      secretRef: fc.record(
        {
          name: fc.constantFrom('keys', 'keys', 'keys', 'other'),
          key: fc.constantFrom('apiKey', 'token'),
        },
        { requiredKeys: ['name'] },
      ),
    }),
    dataPolicy: fc.record(
      {
        trainsOnData: fc.boolean(),
        zeroDataRetention: fc.boolean(),
        regions: fc.subarray(['eu', 'us', 'in-cluster']),
      },
      { requiredKeys: [] },
    ),
    limits: fc.record({ maxConcurrency: fc.integer({ min: 1, max: 64 }) }),
    models: fc.uniqueArray(model, { minLength: 2, maxLength: 3, selector: (m) => m.name }),
  },
  { requiredKeys: ['api', 'models'] },
);

// One spec in fifteen is invalid, to exercise InvalidSpec next to everything else.
const invalidSpec = fc.constantFrom({ api: 'grpc', models: [] }, undefined, {
  api: 'openai',
  models: 'm1',
});

const target = fc.record({
  provider: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...PROVIDERS) },
    { weight: 1, arbitrary: fc.constant('missing') },
  ),
  model: fc.constantFrom(...MODELS),
});

const tiers = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('t1', 't2', 't3'),
    strategy: fc.constantFrom('cheapest', 'ordered'),
    targets: fc.uniqueArray(target, {
      minLength: 1,
      maxLength: 3,
      selector: (t) => `${t.provider}/${t.model}`,
    }),
  }),
  { minLength: 1, maxLength: 3, selector: (t) => t.name },
);

const policySpec = tiers.chain((tierList) =>
  fc.record(
    {
      model: fc.constantFrom('auto', 'fast', 'private', 'cheap', 'smart'),
      tiers: fc.constant(tierList),
      classification: fc.record(
        {
          rules: fc.uniqueArray(
            fc.record({
              name: fc.constantFrom('r1', 'r2'),
              tier: fc.constantFrom(...tierList.map((t) => t.name)),
              match: fc.oneof(
                fc.record({
                  patterns: fc.subarray(['^ok$', 'a+b', 'x|y', 'x|y', '('], {
                    minLength: 1,
                    maxLength: 2,
                  }),
                }),
                fc.record({ headers: fc.record({ 'X-Task': fc.constantFrom('code', 'chat') }) }),
              ),
            }),
            { maxLength: 2, selector: (r) => r.name },
          ),
          classifier: fc.record({ target }),
        },
        { requiredKeys: [] },
      ),
      governance: fc.record({
        pool: fc.record(
          {
            zeroDataRetention: fc.boolean(),
            trainsOnData: fc.constant(false),
            regions: fc.subarray(['eu', 'us'], { minLength: 1 }),
          },
          { requiredKeys: ['trainsOnData'] },
        ),
      }),
      failover: fc.record({ retries: fc.record({ onStatus: fc.subarray([504, 429, 500, 503]) }) }),
    },
    { requiredKeys: ['model', 'tiers'] },
  ),
);

// Governance in one policy of four: a pool is often unsatisfiable, which would starve the routes.
const policySpecs = fc
  .tuple(policySpec, fc.nat({ max: 3 }))
  .map(([spec, dice]) => (dice === 0 || !('governance' in spec) ? spec : withoutGovernance(spec)));

function withoutGovernance<T extends { governance?: unknown }>(spec: T): Omit<T, 'governance'> {
  const { governance: _dropped, ...rest } = spec;
  return rest;
}

const objects = (names: readonly string[], spec: fc.Arbitrary<unknown>) =>
  fc.uniqueArray(
    fc.record({
      metadata: metadata(names),
      spec: fc.oneof({ weight: 14, arbitrary: spec }, { weight: 1, arbitrary: invalidSpec }),
    }) as fc.Arbitrary<RawObject>,
    { minLength: 1, maxLength: 5, selector: (o) => `${o.metadata.namespace}/${o.metadata.name}` },
  );

// ai/keys usually exists with both keys, so that most providers resolve their Secret.
const usualSecret: SecretSummary = { namespace: 'ai', name: 'keys', keys: ['apiKey', 'token'] };
const secrets: fc.Arbitrary<SecretSummary[]> = fc
  .record({
    usual: fc.oneof({ weight: 4, arbitrary: fc.constant([usualSecret]) }, fc.constant([])),
    others: fc.uniqueArray(
      fc.record({
        namespace,
        name: fc.constantFrom(...SECRETS),
        keys: fc.subarray(['apiKey', 'token']),
      }),
      { maxLength: 3, selector: (s) => `${s.namespace}/${s.name}` },
    ),
  })
  .map(({ usual, others }) => [
    ...usual,
    ...others.filter((s) => usual.length === 0 || s.namespace !== 'ai' || s.name !== 'keys'),
  ]);

const snapshots: fc.Arbitrary<Snapshot> = fc.record({
  providers: objects(PROVIDERS, providerSpec),
  policies: objects(['p1', 'p2', 'p3'], policySpecs),
  secrets,
});

const shuffled = snapshots.chain((snapshot) =>
  fc.record({
    original: fc.constant(snapshot),
    shuffled: fc.record({
      providers: permutation(snapshot.providers),
      policies: permutation(snapshot.policies),
      secrets: permutation(snapshot.secrets),
    }),
  }),
);

function permutation<T>(items: T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });
}

const bytes = (value: unknown) => canonicalJson(value);

test('shuffling the snapshot changes neither the bytes nor the hash of the result', () => {
  fc.assert(
    fc.property(shuffled, ({ original, shuffled }) => {
      const a = compile(original);
      const b = compile(shuffled);
      assert.equal(b.config.configHash, a.config.configHash);
      assert.equal(bytes(b), bytes(a));
    }),
    { numRuns: 300 },
  );
});

test('compiling the same snapshot twice gives the same bytes and leaves the snapshot untouched', () => {
  fc.assert(
    fc.property(snapshots, (snapshot) => {
      const before = bytes(snapshot);
      const first = bytes(compile(snapshot));
      assert.equal(bytes(compile(snapshot)), first);
      assert.equal(bytes(snapshot), before);
    }),
    { numRuns: 200 },
  );
});

test('feeding the compiled providers back as specs compiles to the same config', () => {
  fc.assert(
    fc.property(snapshots, (snapshot) => {
      const { config } = compile(snapshot);
      const again = compile({ ...snapshot, providers: config.providers.map(asManifest) });
      assert.equal(bytes(again.config), bytes(config));
    }),
    { numRuns: 300 },
  );
});

test('the config always passes the RouterConfig schema and carries its own hash', () => {
  fc.assert(
    fc.property(snapshots, (snapshot) => {
      const { config } = compile(snapshot);
      routerConfig.parse(config);
      assert.equal(config.configHash, configHashOf(config));
    }),
    { numRuns: 300 },
  );
});

test('an object is in the config exactly when its status says Programmed=True', () => {
  fc.assert(
    fc.property(snapshots, (snapshot) => {
      const { config, statuses } = compile(snapshot);
      const programmed = statuses
        .filter((s) => s.conditions.some((c) => c.type === 'Programmed' && c.status === 'True'))
        .map((s) => `${s.kind} ${s.namespace}/${s.name}`)
        .sort();
      const served = [
        ...config.providers.map((p) => `ModelProvider ${p.namespace}/${p.name}`),
        ...config.routes.map((r) => `RoutePolicy ${r.namespace}/${r.policy}`),
      ].sort();
      assert.deepEqual(served, programmed);
    }),
    { numRuns: 200 },
  );
});

/** A compiled provider written back as a ModelProvider manifest, every default explicit. */
function asManifest(provider: ProviderConfig): RawObject {
  const { name, namespace, credential, ...rest } = provider;
  const auth =
    credential === undefined
      ? {}
      : { auth: { secretRef: { name: credential.secretName, key: credential.key } } };
  return { metadata: { name, namespace }, spec: { ...rest, ...auth } };
}
