// Span attributes: the OpenTelemetry GenAI semantic conventions where they have a name, and
// `switchyard.*` for what only Switchyard knows (route, tier, rule, cost). Plain data, so the
// names can be tested without loading OpenTelemetry.
import type { AttemptEnd, RequestEnd, RequestStart, TraceUsage } from './request-trace.ts';

/** An attribute map as OpenTelemetry takes it. */
export type Attributes = Record<string, string | number | boolean | string[]>;

/**
 * `gen_ai.provider.name` for a wire protocol. Every OpenAI-compatible endpoint (DeepSeek, vLLM, …)
 * speaks `openai`; the ModelProvider's own name is in `switchyard.provider`.
 */
export function genAiProviderName(api: string | undefined): string {
  switch (api) {
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gcp.gemini';
    default:
      return 'openai';
  }
}

function usageAttributes(usage: TraceUsage | undefined): Attributes {
  if (usage === undefined) return {};
  const attributes: Attributes = {
    'gen_ai.usage.input_tokens': usage.inputTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens,
  };
  if ((usage.cachedInputTokens ?? 0) > 0)
    attributes['gen_ai.usage.cache_read.input_tokens'] = usage.cachedInputTokens ?? 0;
  if ((usage.cacheWriteTokens ?? 0) > 0)
    attributes['gen_ai.usage.cache_creation.input_tokens'] = usage.cacheWriteTokens ?? 0;
  if ((usage.reasoningTokens ?? 0) > 0)
    attributes['switchyard.usage.reasoning_tokens'] = usage.reasoningTokens ?? 0;
  return attributes;
}

/** Attributes of the server span known when the request arrives. */
export function requestAttributes(start: RequestStart, recordContent: boolean): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': start.operation,
    'gen_ai.request.model': start.requestModel,
    'switchyard.request_id': start.requestId,
  };
  if (start.stream !== undefined) attributes['switchyard.stream'] = start.stream;
  if (start.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = start.maxTokens;
  if (start.temperature !== undefined) attributes['gen_ai.request.temperature'] = start.temperature;
  if (start.topP !== undefined) attributes['gen_ai.request.top_p'] = start.topP;
  if (recordContent && start.messages !== undefined)
    attributes['gen_ai.input.messages'] = JSON.stringify(start.messages);
  return attributes;
}

/** Attributes of the server span known when the request ends. */
export function responseAttributes(end: RequestEnd, recordContent: boolean): Attributes {
  const attributes: Attributes = {
    'http.response.status_code': end.status,
    ...usageAttributes(end.usage),
  };
  const optional: [string, string | number | undefined][] = [
    ['switchyard.route', end.route],
    ['switchyard.tier', end.tier],
    ['switchyard.provider', end.provider],
    ['switchyard.model', end.model],
    ['switchyard.cache', end.cache],
    ['switchyard.cost_usd', end.costUSD],
    ['gen_ai.response.model', end.responseModel],
    ['gen_ai.response.id', end.responseId],
    ['error.type', end.errorCode],
    ['switchyard.error.origin', end.errorOrigin],
  ];
  for (const [key, value] of optional) if (value !== undefined) attributes[key] = value;
  if (end.api !== undefined) attributes['gen_ai.provider.name'] = genAiProviderName(end.api);
  if (end.finishReasons !== undefined && end.finishReasons.length > 0)
    attributes['gen_ai.response.finish_reasons'] = [...end.finishReasons];
  if (recordContent && end.output !== undefined)
    attributes['gen_ai.output.messages'] = JSON.stringify(end.output);
  return attributes;
}

/** Attributes of an attempt span when it ends. */
export function attemptEndAttributes(end: AttemptEnd): Attributes {
  const attributes: Attributes = {
    'switchyard.attempt.outcome': end.outcome,
    ...usageAttributes(end.usage),
  };
  if (end.status !== undefined) attributes['http.response.status_code'] = end.status;
  if (end.responseModel !== undefined) attributes['gen_ai.response.model'] = end.responseModel;
  if (end.responseId !== undefined) attributes['gen_ai.response.id'] = end.responseId;
  if (end.finishReasons !== undefined && end.finishReasons.length > 0)
    attributes['gen_ai.response.finish_reasons'] = [...end.finishReasons];
  if (end.outcome !== 'ok') attributes['error.type'] = end.outcome;
  return attributes;
}

/** `server.address` and `server.port` of a provider's base URL. */
export function serverAttributes(baseURL: string): Attributes {
  try {
    const url = new URL(baseURL);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { 'server.address': url.hostname, 'server.port': port };
  } catch {
    return {};
  }
}
