// Anthropic Messages, as api.anthropic.com speaks it (2025-2026): compact JSON, streams as named
// events (message_start, content_block_start, ping, content_block_delta, content_block_stop,
// message_delta, message_stop; `error` in-band), errors as {"type":"error","error":{type,message}}.
// Requests are validated like the real API (anthropic-version header, max_tokens, roles, no
// unknown top-level fields), which is what catches an adapter passing OpenAI fields through.
import type { FakeCompletion, FakeToolCall, FakeUsage } from './completion.ts';
import type { FakeFinishReason } from './script-step.ts';
import { pseudoId } from './hash.ts';
import type {
  ErrorContext,
  FakeError,
  FakeErrorKind,
  FakeOperation,
  GenerateRequest,
  ProviderFormat,
  StreamFrames,
} from './provider-format.ts';
import {
  arrayField,
  isRecord,
  numberField,
  recordField,
  stringField,
  type JsonObject,
} from './request-fields.ts';
import { sseEvent } from './sse.ts';
import { estimateTokens } from './token-estimate.ts';

// Top-level request fields the Messages API accepts; anything else is "Extra inputs are not permitted".
const KNOWN_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_k',
  'top_p',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'container',
  'mcp_servers',
  'context_management',
  'output_format',
]);

const STOP_REASONS: Readonly<Record<FakeFinishReason, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

/** Creates the Anthropic Messages wire format. */
export function createAnthropicFormat(): ProviderFormat {
  return {
    api: 'anthropic',
    basePath: '',
    defaultModels: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'],
    contextWindowTokens: 200_000,
    jsonContentType: 'application/json',
    route,
    checkHeaders: (headers) =>
      headers['anthropic-version'] === undefined
        ? invalid('anthropic-version: header is required')
        : undefined,
    parseGenerate,
    parseEmbed: () => invalid('Embeddings are not part of the Anthropic API'),
    authError: (apiKey) => ({
      status: 401,
      kind: 'authentication',
      message: apiKey === undefined ? 'x-api-key header is required' : 'invalid x-api-key',
    }),
    invalidJsonError: () => invalid('There was an issue with your request body: invalid JSON'),
    unknownRouteError: () => ({ status: 404, kind: 'not_found', message: 'Not Found' }),
    blockedPromptError: () => undefined,
    renderCompletion,
    renderStream,
    renderStreamError: (error, context) =>
      sseEvent('error', JSON.stringify(errorBody(error, context))),
    renderError: (error, context) => JSON.stringify(errorBody(error, context)),
    renderEmbeddings: () => '{}',
    renderModels: (models) =>
      JSON.stringify({
        data: models.map((id) => ({
          type: 'model',
          id,
          display_name: id,
          created_at: '2025-09-29T00:00:00Z',
        })),
        has_more: false,
        first_id: models[0] ?? null,
        last_id: models.at(-1) ?? null,
      }),
    responseHeaders: (seq) => ({
      'request-id': requestId(seq),
      'anthropic-organization-id': '5ea1d0e2-0000-4000-8000-00000000fa6e',
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': '3999',
      'anthropic-ratelimit-input-tokens-limit': '2000000',
      'anthropic-ratelimit-input-tokens-remaining': '1999000',
      'anthropic-ratelimit-output-tokens-limit': '400000',
      'anthropic-ratelimit-output-tokens-remaining': '399000',
    }),
  };
}

function requestId(seq: number): string {
  return `req_011C${pseudoId(seq, 20)}`;
}

function route(method: string, path: string): FakeOperation | undefined {
  if (method === 'POST' && path === '/v1/messages') {
    return { kind: 'generate', model: undefined, stream: undefined, sse: true };
  }
  if (method === 'GET' && path === '/v1/models') return { kind: 'models' };
  return undefined;
}

function invalid(message: string): FakeError {
  return { status: 400, kind: 'invalid_request', message };
}

function parseGenerate(_operation: unknown, body: unknown): GenerateRequest | FakeError {
  if (!isRecord(body)) return invalid('Input should be a valid dictionary');
  const extra = Object.keys(body).find((key) => !KNOWN_FIELDS.has(key));
  if (extra !== undefined) return invalid(`${extra}: Extra inputs are not permitted`);
  const model = stringField(body.model);
  if (model === undefined) return invalid('model: Field required');
  const maxTokens = numberField(body.max_tokens);
  if (maxTokens === undefined) return invalid('max_tokens: Field required');
  if (maxTokens < 1) return invalid('max_tokens: Input should be greater than or equal to 1');
  if (!Array.isArray(body.messages)) return invalid('messages: Field required');
  if (body.messages.length === 0) return invalid('messages: at least one message is required');
  const texts: string[] = [systemText(body.system)];
  let lastUserText = '';
  for (const [index, message] of body.messages.entries()) {
    const role = recordField(message).role;
    if (role !== 'user' && role !== 'assistant') {
      return invalid(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    }
    const text = contentText(recordField(message).content);
    texts.push(text);
    if (role === 'user') lastUserText = text;
  }
  const tools = arrayField(body.tools);
  if (tools.length > 0) texts.push(JSON.stringify(tools));
  const choice = recordField(body.tool_choice);
  return {
    model,
    stream: body.stream === true,
    promptTokens: estimateTokens(texts.join('\n')),
    lastUserText,
    systemText: systemText(body.system),
    maxOutputTokens: maxTokens,
    toolNames: tools.map((tool) => stringField(recordField(tool).name) ?? ''),
    forcedTool:
      choice.type === 'any' ? '' : choice.type === 'tool' ? stringField(choice.name) : undefined,
    jsonMode: recordField(body.output_format).type === 'json_schema',
    includeUsage: true,
    includeObfuscation: false,
    sse: true,
  };
}

function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  return arrayField(system)
    .map((block) => stringField(recordField(block).text) ?? '')
    .join('\n');
}

/** Text of a message's content: a string, or blocks (text, tool_use input, tool_result content). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  const parts: string[] = [];
  for (const block of arrayField(content)) {
    const record = recordField(block);
    const text = stringField(record.text) ?? stringField(record.thinking);
    if (text !== undefined) parts.push(text);
    if (record.type === 'tool_use') parts.push(JSON.stringify(record.input ?? {}));
    if (record.type === 'tool_result') parts.push(contentText(record.content));
  }
  return parts.join('\n');
}

function messageId(completion: FakeCompletion): string {
  return `msg_01${pseudoId(completion.seq, 22)}`;
}

function toolUseId(completion: FakeCompletion, call: FakeToolCall, index: number): string {
  return call.id ?? `toolu_01${pseudoId(completion.seq * 31 + index + 1, 22)}`;
}

function toolInput(call: FakeToolCall): unknown {
  try {
    const parsed: unknown = JSON.parse(call.argumentsJson);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Anthropic's input_tokens leave out cache reads and writes, which have their own fields. */
function uncachedInput(usage: FakeUsage): number {
  return Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens);
}

function usageBody(usage: FakeUsage): JsonObject {
  return {
    input_tokens: uncachedInput(usage),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: usage.cacheWriteTokens,
      ephemeral_1h_input_tokens: 0,
    },
    output_tokens: usage.outputTokens,
    service_tier: 'standard',
  };
}

function renderCompletion(completion: FakeCompletion): string {
  const content: JsonObject[] = [];
  if (completion.text !== '') content.push({ type: 'text', text: completion.text });
  completion.toolCalls.forEach((call, index) => {
    content.push({
      type: 'tool_use',
      id: toolUseId(completion, call, index),
      name: call.name,
      input: toolInput(call),
    });
  });
  return JSON.stringify({
    id: messageId(completion),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: STOP_REASONS[completion.finishReason],
    stop_sequence: null,
    ...(completion.usage === undefined ? {} : { usage: usageBody(completion.usage) }),
  });
}

function event(body: JsonObject): string {
  return sseEvent(String(body.type), JSON.stringify(body));
}

function renderStream(completion: FakeCompletion): StreamFrames {
  const usage = completion.usage;
  const startUsage = usage === undefined ? undefined : { ...usageBody(usage), output_tokens: 1 };
  let head = event({
    type: 'message_start',
    message: {
      id: messageId(completion),
      type: 'message',
      role: 'assistant',
      model: completion.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...(startUsage === undefined ? {} : { usage: startUsage }),
    },
  });
  const chunks: string[] = [];
  let block = -1;
  const startBlock = (contentBlock: JsonObject): string => {
    const stop = block >= 0 ? event({ type: 'content_block_stop', index: block }) : '';
    block += 1;
    return stop + event({ type: 'content_block_start', index: block, content_block: contentBlock });
  };
  if (completion.textChunks.length > 0) {
    head += startBlock({ type: 'text', text: '' });
    for (const text of completion.textChunks) {
      chunks.push(
        event({ type: 'content_block_delta', index: block, delta: { type: 'text_delta', text } }),
      );
    }
  }
  completion.toolCalls.forEach((call, index) => {
    call.argumentChunks.forEach((fragment, fragmentIndex) => {
      const start =
        fragmentIndex === 0
          ? startBlock({
              type: 'tool_use',
              id: toolUseId(completion, call, index),
              name: call.name,
              input: {},
            })
          : '';
      const delta = event({
        type: 'content_block_delta',
        index: block,
        delta: { type: 'input_json_delta', partial_json: fragment },
      });
      // A tool_use answer with no text opens its first block before the ping, as the API does.
      if (chunks.length === 0 && fragmentIndex === 0) {
        head += start;
        chunks.push(delta);
      } else {
        chunks.push(start + delta);
      }
    });
  });
  head += 'event: ping\ndata: {"type": "ping"}\n\n';
  let tail = block >= 0 ? event({ type: 'content_block_stop', index: block }) : '';
  tail += event({
    type: 'message_delta',
    delta: { stop_reason: STOP_REASONS[completion.finishReason], stop_sequence: null },
    ...(usage === undefined
      ? {}
      : {
          usage: {
            input_tokens: uncachedInput(usage),
            cache_creation_input_tokens: usage.cacheWriteTokens,
            cache_read_input_tokens: usage.cachedInputTokens,
            output_tokens: usage.outputTokens,
          },
        }),
  });
  tail += event({ type: 'message_stop' });
  return { contentType: 'text/event-stream; charset=utf-8', head, chunks, tail };
}

function nativeError(
  kind: FakeErrorKind,
  context: ErrorContext,
): { type: string; message: string } {
  switch (kind) {
    case 'invalid_request':
      return { type: 'invalid_request_error', message: 'Invalid request' };
    case 'context_length':
      return {
        type: 'invalid_request_error',
        message: `prompt is too long: ${Math.max(context.promptTokens, context.contextWindowTokens + 1)} tokens > ${context.contextWindowTokens} maximum`,
      };
    case 'authentication':
      return { type: 'authentication_error', message: 'invalid x-api-key' };
    case 'permission':
      return {
        type: 'permission_error',
        message: 'Your API key does not have permission to use the specified resource.',
      };
    case 'not_found':
      return { type: 'not_found_error', message: `model: ${context.model}` };
    case 'request_too_large':
      return {
        type: 'request_too_large',
        message: 'Request exceeds the maximum allowed number of bytes.',
      };
    case 'rate_limit':
      return {
        type: 'rate_limit_error',
        message:
          'This request would exceed the rate limit for your organization (5ea1d0e2-0000-4000-8000-00000000fa6e) of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
      };
    case 'server_error':
      return { type: 'api_error', message: 'Internal server error' };
    case 'overloaded':
      return { type: 'overloaded_error', message: 'Overloaded' };
    case 'timeout':
      return { type: 'timeout_error', message: 'Request timed out' };
    case 'content_policy':
      return {
        type: 'invalid_request_error',
        message: 'Output blocked by content filtering policy',
      };
  }
}

function errorBody(error: FakeError, context: ErrorContext): JsonObject {
  const native = nativeError(error.kind, context);
  return {
    type: 'error',
    error: { type: native.type, message: error.message ?? native.message },
    request_id: requestId(context.seq),
  };
}
