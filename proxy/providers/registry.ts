import type { ProviderApi } from '../../core/api/model-provider.ts';
import type { ProviderAdapter } from './adapter.ts';
import { anthropicAdapter } from './anthropic.ts';
import { geminiAdapter } from './gemini.ts';
import { openAIAdapter } from './openai.ts';

/** Every adapter by wire protocol. Adapters are stateless; stream translators are per request. */
export const ADAPTERS: Readonly<Record<ProviderApi, ProviderAdapter>> = {
  openai: openAIAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
};

/** The adapter for a provider's wire protocol. */
export function adapterFor(api: ProviderApi): ProviderAdapter {
  return ADAPTERS[api];
}
