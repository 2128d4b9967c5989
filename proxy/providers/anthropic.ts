import type { ProviderAdapter, UpstreamTarget } from './adapter.ts';
import { AdapterError } from './adapter-error.ts';
import { anthropicErrorDetails } from './anthropic-errors.ts';
import { anthropicRequest } from './anthropic-request.ts';
import { parseAnthropicMessage } from './anthropic-response.ts';
import { AnthropicStreamTranslator } from './anthropic-stream.ts';
import { classifyError } from './upstream-errors.ts';
import { joinURL, jsonHeaders, postJson } from './upstream-request.ts';

/** The Messages API version every request pins. */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * The adapter for Anthropic's Messages API (`POST {baseURL}/v1/messages`, baseURL
 * https://api.anthropic.com). See anthropic-request.ts for how OpenAI requests translate.
 * Anthropic has no embeddings API.
 */
export const anthropicAdapter: ProviderAdapter = {
  api: 'anthropic',

  buildChatRequest(request, target) {
    return postJson(
      joinURL(target.baseURL, '/v1/messages'),
      anthropicHeaders(target),
      anthropicRequest(request, target),
    );
  },

  parseChatResponse(body, context) {
    return parseAnthropicMessage(body, context);
  },

  createStreamTranslator(context) {
    return new AnthropicStreamTranslator(context);
  },

  buildEmbeddingsRequest() {
    throw new AdapterError('unsupported', 'Anthropic has no embeddings API');
  },

  parseEmbeddingsResponse() {
    throw new AdapterError('unsupported', 'Anthropic has no embeddings API');
  },

  parseError(status, headers, body, nowMs = Date.now()) {
    return classifyError(status, headers, anthropicErrorDetails(body), nowMs);
  },

  buildHealthProbe(target) {
    const { 'content-type': _, ...headers } = anthropicHeaders(target);
    return { url: joinURL(target.baseURL, '/v1/models'), method: 'GET', headers };
  },
};

function anthropicHeaders(target: UpstreamTarget): Record<string, string> {
  return jsonHeaders(target, target.apiKey === undefined ? {} : { 'x-api-key': target.apiKey }, {
    'anthropic-version': ANTHROPIC_VERSION,
  });
}
