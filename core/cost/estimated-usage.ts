import { estimateTextTokens } from '../openai/token-estimate.ts';
import type { Usage } from './usage.ts';

/**
 * Usage estimated by the proxy when a provider reported none: the request's estimated prompt
 * tokens and the produced text (content, refusals and tool-call arguments) run through the
 * token estimator as one text. Marked `estimated` so receipts and metrics can say so.
 */
export function estimatedUsage(promptTokens: number, outputTexts: readonly string[]): Usage {
  // Joined, not summed per piece: a stream's deltas cut words, and each piece would round up.
  const outputTokens = estimateTextTokens(outputTexts.join(''));
  return {
    inputTokens: promptTokens,
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    estimated: true,
  };
}
