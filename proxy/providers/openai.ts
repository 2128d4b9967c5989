import { estimatedUsage } from '../../core/cost/estimated-usage.ts';
import type { Usage } from '../../core/cost/usage.ts';
import {
  estimateEmbeddingInputTokens,
  estimatePromptTokens,
} from '../../core/openai/request-facts.ts';
import type {
  ChatCompletion,
  ChatCompletionRequest,
  EmbeddingsResponse,
} from '../../core/openai/types.ts';
import { usageFromWire, usageToWire } from '../../core/openai/wire-usage.ts';
import type { ProviderAdapter, ResponseContext, UpstreamTarget } from './adapter.ts';
import { badResponse } from './adapter-error.ts';
import { OpenAIStreamTranslator } from './openai-stream.ts';
import { normaliseFinishReason, openAIErrorDetails } from './openai-wire.ts';
import { classifyError, parseJsonObject } from './upstream-errors.ts';
import { joinURL, jsonHeaders, postJson } from './upstream-request.ts';

/**
 * The adapter for every OpenAI-compatible service (OpenAI, DeepSeek, Qwen/DashScope, Mistral,
 * Groq, vLLM, llama.cpp, Ollama): the request goes through as the client sent it, unknown fields
 * included, with the upstream model name substituted. Streams always ask for the usage chunk
 * (`stream_options.include_usage`) so cost is exact; the client sees it only if it asked.
 */
export const openAIAdapter: ProviderAdapter = {
  api: 'openai',

  buildChatRequest(request, target) {
    const body: ChatCompletionRequest = { ...request, model: target.upstreamModel };
    if (request.stream === true) {
      body.stream_options = { ...request.stream_options, include_usage: true };
    }
    return postJson(joinURL(target.baseURL, '/chat/completions'), openAIHeaders(target), body);
  },

  parseChatResponse(body, context) {
    const parsed = parseJsonObject(body);
    if (parsed === undefined || !Array.isArray(parsed['choices'])) {
      throw badResponse('the upstream chat completion is not a JSON object with choices');
    }
    // Normalised in place: the body is parsed once and the same object goes to the client.
    const completion = parsed as ChatCompletion;
    normaliseEnvelope(completion, context);
    const texts: string[] = [];
    completion.choices.forEach((choice, i) => normaliseChoice(choice, i, texts));
    let usage = usageFromWire(parsed['usage']);
    if (usage === undefined) {
      usage = estimatedUsage(estimatePromptTokens(context.request), texts);
      completion.usage = usageToWire(usage);
    }
    return { completion, usage };
  },

  createStreamTranslator(context) {
    return new OpenAIStreamTranslator(context);
  },

  buildEmbeddingsRequest(request, target) {
    const body = { ...request, model: target.upstreamModel };
    return postJson(joinURL(target.baseURL, '/embeddings'), openAIHeaders(target), body);
  },

  parseEmbeddingsResponse(body, context) {
    const parsed = parseJsonObject(body);
    if (parsed === undefined || !Array.isArray(parsed['data'])) {
      throw badResponse('the upstream embeddings response is not a JSON object with data');
    }
    const response = parsed as EmbeddingsResponse;
    response.object = 'list';
    response.model = context.responseModel;
    const wire = parsed['usage'] as Record<string, unknown> | undefined;
    const promptTokens = wire?.['prompt_tokens'];
    let usage: Usage;
    if (typeof promptTokens === 'number') {
      usage = { ...ZERO, inputTokens: promptTokens };
    } else {
      const input = (context.request as { input?: unknown }).input;
      const tokens = isEmbeddingInput(input) ? estimateEmbeddingInputTokens(input) : 0;
      usage = { ...ZERO, inputTokens: tokens, estimated: true };
      response.usage = { prompt_tokens: tokens, total_tokens: tokens };
    }
    return { response, usage };
  },

  parseError(status, headers, body, nowMs = Date.now()) {
    return classifyError(status, headers, openAIErrorDetails(body), nowMs);
  },

  buildHealthProbe(target) {
    return { url: joinURL(target.baseURL, '/models'), method: 'GET', headers: authHeader(target) };
  },
};

const ZERO: Usage = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  estimated: false,
};

function authHeader(target: UpstreamTarget): Record<string, string> {
  return target.apiKey === undefined
    ? { ...target.headers }
    : { ...target.headers, authorization: `Bearer ${target.apiKey}` };
}

function openAIHeaders(target: UpstreamTarget): Record<string, string> {
  return jsonHeaders(
    target,
    target.apiKey === undefined ? {} : { authorization: `Bearer ${target.apiKey}` },
  );
}

function normaliseEnvelope(completion: ChatCompletion, context: ResponseContext): void {
  if (typeof completion.id !== 'string' || completion.id === '') completion.id = context.fallbackId;
  completion.object = 'chat.completion';
  if (typeof completion.created !== 'number') completion.created = context.createdSeconds;
  completion.model = context.responseModel;
}

/** Fills what compatible servers leave out so the choice is a valid OpenAI choice. */
function normaliseChoice(
  choice: ChatCompletion['choices'][number],
  i: number,
  texts: string[],
): void {
  if (typeof choice.index !== 'number') choice.index = i;
  const message = (choice.message ??= { role: 'assistant', content: '' });
  message.role = 'assistant';
  const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
  if (typeof message.content === 'string') texts.push(message.content);
  else if (Array.isArray(message.content))
    message.content = joinTextParts(message.content as unknown[]);
  else if (!hasToolCalls && typeof message.refusal !== 'string') message.content = '';
  else message.content ??= null;
  if (hasToolCalls)
    for (const call of message.tool_calls ?? []) texts.push(call.function.arguments);
  choice.finish_reason = normaliseFinishReason(choice.finish_reason, hasToolCalls);
}

function joinTextParts(parts: unknown[]): string {
  let text = '';
  for (const part of parts) {
    const t = (part as { text?: unknown } | null)?.text;
    if (typeof t === 'string') text += t;
  }
  return text;
}

function isEmbeddingInput(
  input: unknown,
): input is Parameters<typeof estimateEmbeddingInputTokens>[0] {
  return typeof input === 'string' || Array.isArray(input);
}
