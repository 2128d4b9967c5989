import assert from 'node:assert/strict';
import { test } from 'node:test';
import { usageFromWire, usageToWire } from './wire-usage.ts';

test('OpenAI details: cached and reasoning tokens', () => {
  assert.deepEqual(
    usageFromWire({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 192 },
    }),
    {
      inputTokens: 2006,
      outputTokens: 300,
      cachedInputTokens: 1920,
      cacheWriteTokens: 0,
      reasoningTokens: 192,
      estimated: false,
    },
  );
});

test("DeepSeek's prompt_cache_hit_tokens count as cached input", () => {
  const usage = usageFromWire({
    prompt_tokens: 5000,
    completion_tokens: 800,
    total_tokens: 5800,
    prompt_cache_hit_tokens: 4096,
    prompt_cache_miss_tokens: 904,
  });
  assert.equal(usage?.cachedInputTokens, 4096);
  assert.equal(usage?.inputTokens, 5000);
});

test('no counts, no usage', () => {
  assert.equal(usageFromWire(null), undefined);
  assert.equal(usageFromWire({}), undefined);
});

test('round trip keeps what OpenAI can express', () => {
  const usage = {
    inputTokens: 10,
    outputTokens: 5,
    cachedInputTokens: 4,
    cacheWriteTokens: 0,
    reasoningTokens: 2,
    estimated: false,
  };
  assert.deepEqual(usageFromWire(usageToWire(usage)), usage);
  assert.equal(usageToWire(usage).total_tokens, 15);
});
