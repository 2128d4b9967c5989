/**
 * Estimates the token count of a text at roughly four characters per token, the rule of thumb
 * for English with BPE tokenisers. Every fake counts with it, so tests can predict usage.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
