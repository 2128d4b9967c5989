/**
 * Token usage of one response, normalised across providers. Cost is computed from it.
 * `inputTokens` counts every prompt token, cached ones included (OpenAI's convention);
 * `outputTokens` counts every generated token, reasoning ones included.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache (a subset of inputTokens). */
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (a subset of inputTokens). */
  cacheWriteTokens: number;
  /** Reasoning ("thinking") tokens (a subset of outputTokens). */
  reasoningTokens: number;
  /** True when the provider did not report usage and the numbers are our estimate. */
  estimated: boolean;
}

/** Usage with every count zero. */
export const ZERO_USAGE: Usage = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  estimated: false,
};
