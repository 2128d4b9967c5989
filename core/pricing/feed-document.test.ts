import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseFeedDocument, type FeedDocument } from './feed-document.ts';
import { INVALID } from './per-million.ts';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../test/fixtures/price-feeds', name), 'utf8');

function parsed(format: 'openrouter' | 'litellm', text: string): FeedDocument {
  const result = parseFeedDocument(format, text);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.document;
}

test('an OpenRouter /api/v1/models document gives prices per million, context and capabilities', () => {
  const doc = parsed('openrouter', fixture('openrouter-models.json'));
  assert.equal(doc.models.size, 6);
  assert.deepEqual(doc.models.get('openai/gpt-4o'), {
    id: 'openai/gpt-4o',
    values: {
      inputPerMillion: 2.5,
      outputPerMillion: 10,
      cachedInputPerMillion: 1.25,
      cacheWritePerMillion: undefined,
      reasoningPerMillion: 0,
      contextWindow: 128000,
      maxOutputTokens: 16384,
    },
    kind: 'chat',
    capabilities: ['streaming', 'tools', 'json', 'vision'],
    provider: undefined,
  });
  const claude = doc.models.get('anthropic/claude-sonnet-4.5');
  assert.equal(claude?.values.cacheWritePerMillion, 3.75);
  assert.deepEqual(claude?.capabilities, ['streaming', 'tools', 'json', 'vision', 'reasoning']);
});

test("OpenRouter's free models read as zero and its router's -1 as invalid, for the guard to refuse", () => {
  const doc = parsed('openrouter', fixture('openrouter-models.json'));
  assert.equal(doc.models.get('meta-llama/llama-3.3-70b-instruct:free')?.values.inputPerMillion, 0);
  assert.equal(
    doc.models.get('meta-llama/llama-3.3-70b-instruct:free')?.values.maxOutputTokens,
    undefined,
  );
  assert.equal(doc.models.get('openrouter/auto')?.values.outputPerMillion, INVALID);
});

test('a LiteLLM document skips its sample_spec and maps modes and supports_* flags', () => {
  const doc = parsed('litellm', fixture('litellm-model-prices.json'));
  assert.equal(doc.models.has('sample_spec'), false);
  assert.deepEqual(doc.models.get('gpt-4o')?.values, {
    inputPerMillion: 2.5,
    outputPerMillion: 10,
    cachedInputPerMillion: 1.25,
    cacheWritePerMillion: undefined,
    reasoningPerMillion: undefined,
    contextWindow: 128000,
    maxOutputTokens: 16384,
  });
  assert.equal(doc.models.get('gpt-4o')?.provider, 'openai');
  assert.deepEqual(doc.models.get('o3-mini')?.capabilities, [
    'streaming',
    'tools',
    'json',
    'reasoning',
  ]);
  const embedding = doc.models.get('text-embedding-3-small');
  assert.equal(embedding?.kind, 'embedding');
  assert.deepEqual(embedding?.capabilities, ['embeddings']);
  assert.equal(embedding?.values.contextWindow, 8191);
  assert.equal(doc.models.get('dall-e-3')?.kind, 'other');
  assert.equal(doc.models.get('deepseek/deepseek-chat')?.values.cacheWritePerMillion, 0);
});

const malformed: {
  name: string;
  format: 'openrouter' | 'litellm';
  text: string;
  message: RegExp;
}[] = [
  {
    name: 'text that is not JSON',
    format: 'openrouter',
    text: '<html>502</html>',
    message: /not JSON/,
  },
  {
    name: 'a LiteLLM document read as OpenRouter',
    format: 'openrouter',
    text: fixture('litellm-model-prices.json'),
    message: /"data" array/,
  },
  {
    name: 'a JSON array read as LiteLLM',
    format: 'litellm',
    text: '[1,2]',
    message: /object of models/,
  },
  {
    name: 'an empty data array',
    format: 'openrouter',
    text: '{"data":[]}',
    message: /no model could be read/,
  },
  {
    name: 'entries without ids',
    format: 'openrouter',
    text: '{"data":[{"name":"x"},7]}',
    message: /no model could be read as openrouter \(2 entries skipped\)/,
  },
];

for (const c of malformed) {
  test(`${c.name} is malformed, with a message that says why`, () => {
    const result = parseFeedDocument(c.format, c.text);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, c.message);
  });
}

test('one unreadable entry is skipped and counted; the others are read', () => {
  const doc = parsed(
    'openrouter',
    JSON.stringify({
      data: [{ id: 'a/b', pricing: { prompt: 'oops', completion: '0.000001' } }, { nope: true }],
    }),
  );
  assert.equal(doc.skipped, 1);
  assert.equal(doc.models.get('a/b')?.values.inputPerMillion, INVALID);
  assert.equal(doc.models.get('a/b')?.values.outputPerMillion, 1);
});
