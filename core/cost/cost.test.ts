import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pricing } from './cost.ts';
import { costUSD, estimateCostUSD } from './cost.ts';
import type { Usage } from './usage.ts';

function usage(partial: Partial<Usage>): Usage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    estimated: false,
    ...partial,
  };
}

function pricing(input: number, output: number, extra: Partial<Pricing> = {}): Pricing {
  return {
    inputPerMillion: input,
    outputPerMillion: output,
    cachedInputPerMillion: input,
    cacheWritePerMillion: input,
    reasoningPerMillion: output,
    ...extra,
  };
}

// Prices as the providers list them (USD per million tokens) at the time of writing.
const GPT_4O = pricing(2.5, 10, { cachedInputPerMillion: 1.25 });
const O4_MINI = pricing(1.1, 4.4, { cachedInputPerMillion: 0.275 });
const CLAUDE_SONNET_4 = pricing(3, 15, { cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 });
const GEMINI_25_FLASH = pricing(0.3, 2.5, { cachedInputPerMillion: 0.075 });
// Gemini 2.5 Flash preview billed thinking above plain output: 0.60 vs 3.50.
const GEMINI_25_FLASH_PREVIEW = pricing(0.15, 0.6, { reasoningPerMillion: 3.5 });
const DEEPSEEK_CHAT = pricing(0.27, 1.1, { cachedInputPerMillion: 0.07 });

const cases: [string, Usage, Pricing, number][] = [
  [
    'plain input and output at list price (gpt-4o)',
    usage({ inputTokens: 1000, outputTokens: 500 }),
    GPT_4O,
    (1000 * 2.5 + 500 * 10) / 1e6,
  ],
  [
    'OpenAI cached tokens are billed at the cached price (gpt-4o)',
    usage({ inputTokens: 2006, cachedInputTokens: 1920, outputTokens: 300 }),
    GPT_4O,
    (86 * 2.5 + 1920 * 1.25 + 300 * 10) / 1e6,
  ],
  [
    'OpenAI reasoning tokens are part of the output (o4-mini)',
    usage({ inputTokens: 2006, cachedInputTokens: 1920, outputTokens: 300, reasoningTokens: 192 }),
    O4_MINI,
    (86 * 1.1 + 1920 * 0.275 + 108 * 4.4 + 192 * 4.4) / 1e6,
  ],
  [
    'Anthropic cache writes cost 1.25x input and cache reads 0.1x (Claude Sonnet 4)',
    usage({ inputTokens: 10050, cacheWriteTokens: 10000, outputTokens: 500 }),
    CLAUDE_SONNET_4,
    (50 * 3 + 10000 * 3.75 + 500 * 15) / 1e6,
  ],
  [
    'Anthropic cache read and write in one call',
    usage({ inputTokens: 2006, cachedInputTokens: 1920, cacheWriteTokens: 74, outputTokens: 300 }),
    CLAUDE_SONNET_4,
    (12 * 3 + 1920 * 0.3 + 74 * 3.75 + 300 * 15) / 1e6,
  ],
  [
    'Gemini thoughts at the output price (Gemini 2.5 Flash)',
    usage({ inputTokens: 2006, cachedInputTokens: 1920, outputTokens: 300, reasoningTokens: 192 }),
    GEMINI_25_FLASH,
    (86 * 0.3 + 1920 * 0.075 + 300 * 2.5) / 1e6,
  ],
  [
    'Gemini thoughts at their own price (Gemini 2.5 Flash preview)',
    usage({ inputTokens: 1000, outputTokens: 1200, reasoningTokens: 1000 }),
    GEMINI_25_FLASH_PREVIEW,
    (1000 * 0.15 + 200 * 0.6 + 1000 * 3.5) / 1e6,
  ],
  [
    'DeepSeek cache hits at the hit price',
    usage({ inputTokens: 5000, cachedInputTokens: 4096, outputTokens: 800 }),
    DEEPSEEK_CHAT,
    (904 * 0.27 + 4096 * 0.07 + 800 * 1.1) / 1e6,
  ],
  ['no tokens cost nothing', usage({}), GPT_4O, 0],
  [
    'subsets larger than their totals are clamped, never negative',
    usage({
      inputTokens: 100,
      cachedInputTokens: 150,
      cacheWriteTokens: 50,
      outputTokens: 10,
      reasoningTokens: 20,
    }),
    CLAUDE_SONNET_4,
    (100 * 0.3 + 10 * 15) / 1e6,
  ],
];

for (const [name, u, p, expected] of cases) {
  test(name, () => {
    const actual = costUSD(u, p);
    assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);
  });
}

test('the estimate reserves the prompt at the input price and the maximum output at the dearer output price', () => {
  assert.equal(estimateCostUSD(1_000_000, 0, GPT_4O), 2.5);
  assert.equal(estimateCostUSD(0, 1_000_000, GEMINI_25_FLASH_PREVIEW), 3.5);
  assert.ok(
    estimateCostUSD(2006, 300, O4_MINI) >=
      costUSD(usage({ inputTokens: 2006, outputTokens: 300 }), O4_MINI),
  );
});
