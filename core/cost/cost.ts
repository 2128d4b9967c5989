import type { ModelConfig } from '../config/router-config.ts';
import type { Usage } from './usage.ts';

/** A model's prices in USD per million tokens, every default filled in by compile(). */
export type Pricing = ModelConfig['pricing'];

/**
 * The cost in USD of one response: uncached input at the input price, cache reads at the cached
 * price, cache writes at the write price, output at the output price except reasoning tokens,
 * which are billed at the reasoning price. Counts are clamped so inconsistent provider numbers
 * (a subset larger than its total) never produce a negative term.
 */
export function costUSD(usage: Usage, pricing: Pricing): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens, usage.inputTokens - cached);
  const uncached = usage.inputTokens - cached - cacheWrite;
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const visibleOutput = usage.outputTokens - reasoning;
  const microDollars =
    uncached * pricing.inputPerMillion +
    cached * pricing.cachedInputPerMillion +
    cacheWrite * pricing.cacheWritePerMillion +
    visibleOutput * pricing.outputPerMillion +
    reasoning * pricing.reasoningPerMillion;
  return microDollars / 1_000_000;
}

/**
 * An upper-bound cost estimate before the request runs, for ranking targets and reserving budget:
 * every prompt token at the (uncached) input price and `maxOutputTokens` at the dearer of the
 * output and reasoning prices, since either may be billed.
 */
export function estimateCostUSD(
  promptTokens: number,
  maxOutputTokens: number,
  pricing: Pricing,
): number {
  const outputPrice = Math.max(pricing.outputPerMillion, pricing.reasoningPerMillion);
  return (promptTokens * pricing.inputPerMillion + maxOutputTokens * outputPrice) / 1_000_000;
}
