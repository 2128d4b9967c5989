import type { Usage } from '../cost/usage.ts';
import type { WireUsage } from './chat-completion.ts';

/**
 * Normalises a usage object in OpenAI's wire shape, as OpenAI and compatible services send it:
 * `prompt_tokens_details.cached_tokens` (OpenAI, Qwen, Mistral, vLLM), DeepSeek's top-level
 * `prompt_cache_hit_tokens`, `prompt_tokens_details.cache_write_tokens` (OpenRouter and others
 * that resell Anthropic), and `completion_tokens_details.reasoning_tokens`. Returns undefined
 * when `wire` carries no token counts.
 */
export function usageFromWire(wire: unknown): Usage | undefined {
  if (typeof wire !== 'object' || wire === null) return undefined;
  const record = wire as Record<string, unknown>;
  const prompt = count(record['prompt_tokens']);
  const completion = count(record['completion_tokens']);
  if (prompt === undefined && completion === undefined) return undefined;
  const promptDetails = record['prompt_tokens_details'] as
    Record<string, unknown> | null | undefined;
  const completionDetails = record['completion_tokens_details'] as
    Record<string, unknown> | null | undefined;
  const inputTokens = prompt ?? 0;
  const cached =
    count(promptDetails?.['cached_tokens']) ?? count(record['prompt_cache_hit_tokens']) ?? 0;
  const cacheWrite = count(promptDetails?.['cache_write_tokens']) ?? 0;
  const outputTokens = completion ?? 0;
  const reasoning = count(completionDetails?.['reasoning_tokens']) ?? 0;
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: Math.min(cached, inputTokens),
    cacheWriteTokens: Math.min(cacheWrite, inputTokens),
    reasoningTokens: Math.min(reasoning, outputTokens),
    estimated: false,
  };
}

/** OpenAI's wire usage for a normalised usage (details included only when non-zero). */
export function usageToWire(usage: Usage): WireUsage {
  const wire: WireUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens > 0)
    wire.prompt_tokens_details = { cached_tokens: usage.cachedInputTokens };
  if (usage.reasoningTokens > 0) {
    wire.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  }
  return wire;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.floor(value)
    : undefined;
}
