// Shared by the adapter tests: a parsed request and a response context.
import { chatCompletionRequest } from '../../core/openai/chat-request.ts';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { ResponseContext, UpstreamTarget } from './adapter.ts';

/** Parses a request body the way the proxy does. */
export function chatRequest(body: Record<string, unknown>): ChatCompletionRequest {
  return chatCompletionRequest.parse({ model: 'auto', ...body });
}

/** A deterministic response context. */
export function responseContext(request: ChatCompletionRequest): ResponseContext {
  return {
    responseModel: 'p/m',
    request,
    createdSeconds: 1_750_000_000,
    fallbackId: 'fallback-id',
  };
}

/** An upstream target with a key and a 4096-token output limit. */
export function upstreamTarget(baseURL: string, upstreamModel: string): UpstreamTarget {
  return { baseURL, upstreamModel, apiKey: 'key-123', headers: {}, maxOutputTokens: 4096 };
}
