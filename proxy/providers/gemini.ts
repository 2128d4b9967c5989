import { Buffer } from 'node:buffer';
import type { Usage } from '../../core/cost/usage.ts';
import { estimateEmbeddingInputTokens } from '../../core/openai/request-facts.ts';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../core/openai/types.ts';
import type { ProviderAdapter, UpstreamTarget } from './adapter.ts';
import { AdapterError, badResponse } from './adapter-error.ts';
import { geminiErrorDetails } from './gemini-errors.ts';
import { geminiRequest } from './gemini-request.ts';
import { parseGeminiResponse } from './gemini-response.ts';
import { GeminiStreamTranslator } from './gemini-stream.ts';
import { classifyError, parseJsonObject } from './upstream-errors.ts';
import { joinURL, jsonHeaders, postJson } from './upstream-request.ts';

/**
 * The adapter for the Gemini API (baseURL https://generativelanguage.googleapis.com/v1beta):
 * `models/{model}:generateContent`, `:streamGenerateContent?alt=sse` and `:batchEmbedContents`,
 * the key in the `x-goog-api-key` header (never in the URL, where logs would keep it). See
 * gemini-request.ts for how OpenAI requests translate.
 */
export const geminiAdapter: ProviderAdapter = {
  api: 'gemini',

  buildChatRequest(request, target) {
    const method = request.stream === true ? ':streamGenerateContent?alt=sse' : ':generateContent';
    return postJson(
      modelURL(target, method),
      geminiHeaders(target),
      geminiRequest(request, target),
    );
  },

  parseChatResponse(body, context) {
    return parseGeminiResponse(body, context);
  },

  createStreamTranslator(context) {
    return new GeminiStreamTranslator(context);
  },

  buildEmbeddingsRequest(request, target) {
    const model = `models/${modelName(target)}`;
    const requests = embeddingTexts(request).map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(typeof request.dimensions === 'number'
        ? { outputDimensionality: request.dimensions }
        : {}),
    }));
    return postJson(modelURL(target, ':batchEmbedContents'), geminiHeaders(target), { requests });
  },

  parseEmbeddingsResponse(body, context) {
    const parsed = parseJsonObject(body);
    const embeddings = parsed?.['embeddings'];
    if (!Array.isArray(embeddings))
      throw badResponse('the upstream Gemini embeddings response has no embeddings');
    const request = context.request as unknown as Partial<EmbeddingsRequest>;
    const base64 = request.encoding_format === 'base64';
    const data = (embeddings as { values?: unknown }[]).map((embedding, index) => {
      const values = Array.isArray(embedding.values) ? (embedding.values as number[]) : [];
      return {
        object: 'embedding' as const,
        index,
        embedding: base64 ? floatsToBase64(values) : values,
      };
    });
    // Gemini reports no usage for embeddings: always our estimate.
    const tokens = request.input === undefined ? 0 : estimateEmbeddingInputTokens(request.input);
    const usage: Usage = {
      inputTokens: tokens,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    };
    const response: EmbeddingsResponse = {
      object: 'list',
      data,
      model: context.responseModel,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    return { response, usage };
  },

  parseError(status, headers, body, nowMs = Date.now()) {
    return classifyError(status, headers, geminiErrorDetails(body), nowMs);
  },

  buildHealthProbe(target) {
    const headers = {
      ...target.headers,
      ...(target.apiKey === undefined ? {} : { 'x-goog-api-key': target.apiKey }),
    };
    return { url: joinURL(target.baseURL, '/models?pageSize=1'), method: 'GET', headers };
  },
};

/** The model id without the `models/` prefix some configs carry. */
function modelName(target: UpstreamTarget): string {
  return target.upstreamModel.startsWith('models/')
    ? target.upstreamModel.slice(7)
    : target.upstreamModel;
}

function modelURL(target: UpstreamTarget, method: string): string {
  return joinURL(target.baseURL, `/models/${encodeURIComponent(modelName(target))}${method}`);
}

function geminiHeaders(target: UpstreamTarget): Record<string, string> {
  return jsonHeaders(
    target,
    target.apiKey === undefined ? {} : { 'x-goog-api-key': target.apiKey },
  );
}

function embeddingTexts(request: EmbeddingsRequest): string[] {
  const input = request.input;
  if (typeof input === 'string') return [input];
  if (input.every((item): item is string => typeof item === 'string')) return input;
  throw new AdapterError('unsupported', 'Gemini embeds text only, not token arrays');
}

/** OpenAI's base64 encoding: the little-endian float32 bytes of the vector. */
function floatsToBase64(values: readonly number[]): string {
  const floats = new Float32Array(values);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}
