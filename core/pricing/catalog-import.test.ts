import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { modelProvider } from '../api/model-provider.ts';
import { importCatalog, type CatalogImportOptions } from './catalog-import.ts';
import { parseFeedDocument, type FeedDocument } from './feed-document.ts';

const fixture = (name: string, format: 'openrouter' | 'litellm'): FeedDocument => {
  const text = readFileSync(
    join(import.meta.dirname, '../../test/fixtures/price-feeds', name),
    'utf8',
  );
  const parsed = parseFeedDocument(format, text);
  assert.ok(parsed.ok);
  return parsed.document;
};
const openRouter = fixture('openrouter-models.json', 'openrouter');
const liteLlm = fixture('litellm-model-prices.json', 'litellm');

const options = (extra: Partial<CatalogImportOptions> = {}): CatalogImportOptions => ({
  format: 'openrouter',
  provider: 'openrouter',
  namespace: 'ai',
  models: [],
  feed: undefined,
  feedUrl: undefined,
  api: undefined,
  baseURL: undefined,
  secret: { name: 'openrouter', key: 'apiKey' },
  ...extra,
});

type Spec = { api: string; baseURL: string; models: { name: string; upstreamName: string }[] };
const specOf = (manifest: Record<string, unknown> | undefined) => manifest?.['spec'] as Spec;

test('every manifest it prints is a valid ModelProvider', () => {
  for (const [document, opts] of [
    [openRouter, options()],
    [openRouter, options({ feed: 'openrouter', feedUrl: 'https://openrouter.ai/api/v1/models' })],
    [
      liteLlm,
      options({
        format: 'litellm',
        provider: 'openai',
        models: ['gpt-4o*', 'o3-mini', 'text-embedding-3-small'],
      }),
    ],
  ] as const) {
    const result = importCatalog(document, opts);
    assert.deepEqual(result.errors, []);
    const provider = result.manifests.find((m) => m['kind'] === 'ModelProvider');
    const parsed = modelProvider.safeParse(provider);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  }
});

test('OpenRouter models keep their ids upstream and get a short name, capabilities and prices', () => {
  const result = importCatalog(
    openRouter,
    options({ models: ['openai/gpt-4o'], feed: 'openrouter' }),
  );
  assert.deepEqual(specOf(result.manifests[0]).models, [
    {
      name: 'gpt-4o',
      upstreamName: 'openai/gpt-4o',
      contextWindow: 128000,
      maxOutputTokens: 16384,
      pricing: {
        inputPerMillion: 2.5,
        outputPerMillion: 10,
        cachedInputPerMillion: 1.25,
        feedRef: { name: 'openrouter', id: 'openai/gpt-4o' },
      },
      capabilities: ['json', 'streaming', 'tools', 'vision'],
    },
  ]);
  assert.equal(specOf(result.manifests[0]).baseURL, 'https://openrouter.ai/api/v1');
});

test('with a feed URL, the PriceFeed comes first', () => {
  const result = importCatalog(
    openRouter,
    options({
      models: ['openai/*'],
      feed: 'prices',
      feedUrl: 'https://openrouter.ai/api/v1/models',
    }),
  );
  assert.deepEqual(result.manifests[0], {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'PriceFeed',
    metadata: { name: 'prices', namespace: 'ai' },
    spec: { url: 'https://openrouter.ai/api/v1/models', format: 'openrouter' },
  });
});

test('LiteLLM entries map to their provider endpoint and lose the provider prefix upstream', () => {
  const result = importCatalog(
    liteLlm,
    options({ format: 'litellm', provider: 'deepseek', models: ['deepseek/*'] }),
  );
  const spec = specOf(result.manifests[0]);
  assert.deepEqual([spec.api, spec.baseURL], ['openai', 'https://api.deepseek.com/v1']);
  assert.deepEqual(
    spec.models.map((m) => [m.name, m.upstreamName]),
    [['deepseek-chat', 'deepseek-chat']],
  );
  const claude = importCatalog(
    liteLlm,
    options({ format: 'litellm', provider: 'anthropic', models: ['claude-*'] }),
  );
  assert.equal(specOf(claude.manifests[0]).api, 'anthropic');
});

test('models of several LiteLLM providers are refused unless the endpoint is given', () => {
  const mixed = importCatalog(liteLlm, options({ format: 'litellm', provider: 'mix' }));
  assert.match(
    mixed.errors[0] ?? '',
    /come from 3 LiteLLM providers \(anthropic, deepseek, openai\)/,
  );
  const given = importCatalog(
    liteLlm,
    options({
      format: 'litellm',
      provider: 'mix',
      api: 'openai',
      baseURL: 'http://litellm.ai.svc:4000/v1',
    }),
  );
  assert.deepEqual(given.errors, []);
});

test('entries without a usable price are skipped with a note, and names stay unique', () => {
  const result = importCatalog(openRouter, options());
  assert.ok(result.notes.includes('skipped openrouter/auto: no valid input price'));
  const names = specOf(result.manifests[0]).models.map((m) => m.name);
  assert.equal(new Set(names).size, names.length);
  const twins: FeedDocument = {
    skipped: 0,
    models: new Map(
      ['a/chat', 'b/chat'].map((id) => [
        id,
        {
          id,
          values: { inputPerMillion: 1, outputPerMillion: 2, contextWindow: 1000 },
          kind: 'chat' as const,
          capabilities: ['streaming' as const],
          provider: undefined,
        },
      ]),
    ),
  };
  assert.deepEqual(
    specOf(importCatalog(twins, options()).manifests[0]).models.map((m) => m.name),
    ['a-chat', 'b-chat'],
  );
});

test('a selection that matches nothing is an error that suggests near ids', () => {
  const result = importCatalog(openRouter, options({ models: ['gpt-4o'] }));
  assert.deepEqual(result.errors, [
    '--models: "gpt-4o" matches no model in the catalog (did you mean openai/gpt-4o, openai/gpt-4o-mini?)',
  ]);
});

test('more than 256 models is an error that says how to narrow it', () => {
  const many: FeedDocument = {
    skipped: 0,
    models: new Map(
      Array.from({ length: 300 }, (_, i) => [
        `v/m${i}`,
        {
          id: `v/m${i}`,
          values: { inputPerMillion: 1, outputPerMillion: 2, contextWindow: 1000 },
          kind: 'chat' as const,
          capabilities: ['streaming' as const],
          provider: undefined,
        },
      ]),
    ),
  };
  assert.match(
    importCatalog(many, options()).errors[0] ?? '',
    /300 models match.*at most 256.*--models/,
  );
});
