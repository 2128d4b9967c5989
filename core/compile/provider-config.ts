import { effectiveCooldown } from '../api/derived-defaults.ts';
import type { ModelProviderSpec, ModelSpec, ProviderApi } from '../api/model-provider.ts';
import type { ModelConfig, ProviderConfig } from '../config/router-config.ts';
import { compareText, type ObjectId } from './object-id.ts';

/** The endpoint of each wire protocol's own service, used when spec.baseURL is omitted. */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderApi, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
};

/**
 * A provider as the proxies see it: every default filled in, so the proxy never re-derives one,
 * and lists sorted, so equal specs give equal bytes. The credential is a reference only.
 */
export function providerConfigOf(id: ObjectId, spec: ModelProviderSpec): ProviderConfig {
  const secretRef = spec.auth?.secretRef;
  return {
    name: id.name,
    namespace: id.namespace,
    api: spec.api,
    // Adapters append paths like `/chat/completions`; a trailing slash would double it.
    baseURL: (spec.baseURL ?? DEFAULT_BASE_URLS[spec.api]).replace(/\/+$/, ''),
    ...(secretRef === undefined
      ? {}
      : {
          credential: { namespace: id.namespace, secretName: secretRef.name, key: secretRef.key },
        }),
    headers: { ...spec.headers },
    dataPolicy: {
      trainsOnData: spec.dataPolicy.trainsOnData,
      zeroDataRetention: spec.dataPolicy.zeroDataRetention,
      regions: sortedText(spec.dataPolicy.regions),
    },
    limits: { ...spec.limits },
    circuitBreaker: { ...spec.circuitBreaker, ...effectiveCooldown(spec.circuitBreaker) },
    healthCheck: { ...spec.healthCheck },
    models: spec.models.map(modelConfigOf).sort((a, b) => compareText(a.name, b.name)),
  };
}

/**
 * A model with its defaults filled in: upstreamName is the name, maxOutputTokens the context
 * window, cached and cache-write input cost the input price, reasoning tokens the output price
 * (how providers bill them unless they publish a discount).
 */
export function modelConfigOf(model: ModelSpec): ModelConfig {
  const { pricing } = model;
  return {
    name: model.name,
    upstreamName: model.upstreamName ?? model.name,
    contextWindow: model.contextWindow,
    maxOutputTokens: model.maxOutputTokens ?? model.contextWindow,
    pricing: {
      inputPerMillion: pricing.inputPerMillion,
      outputPerMillion: pricing.outputPerMillion,
      cachedInputPerMillion: pricing.cachedInputPerMillion ?? pricing.inputPerMillion,
      cacheWritePerMillion: pricing.cacheWritePerMillion ?? pricing.inputPerMillion,
      reasoningPerMillion: pricing.reasoningPerMillion ?? pricing.outputPerMillion,
    },
    capabilities: sortedText(model.capabilities),
    tags: sortedText(model.tags),
  };
}

/** A sorted copy of a list of strings (a set whose order carries no meaning). */
export function sortedText<T extends string>(values: readonly T[]): T[] {
  return [...values].sort(compareText);
}
