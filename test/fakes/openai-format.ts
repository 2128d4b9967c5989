// OpenAI Chat Completions, Embeddings and Models, as api.openai.com speaks them (2025-2026):
// non-streaming bodies pretty-printed, streams as `data:` chunks ending in `data: [DONE]`,
// errors as {"error":{message,type,param,code}}. Every OpenAI-compatible provider (DeepSeek,
// Qwen, Mistral, vLLM…) is faked with this format.
import type { FakeCompletion, FakeToolCall, FakeUsage } from './completion.ts';
import { DEFAULT_EMBEDDING_DIMENSIONS, toBase64Float32 } from './embedding.ts';
import { pseudoHex, pseudoId } from './hash.ts';
import type {
  EmbedRequest,
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
  maskKey,
  numberField,
  recordField,
  stringField,
  type JsonObject,
} from './request-fields.ts';
import { sseData } from './sse.ts';
import { estimateTokens } from './token-estimate.ts';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const FINGERPRINT = 'fp_5ea1d0e2c3';

/** Options of the OpenAI format. */
export interface OpenAIFormatOptions {
  /** Path prefix of the API; default '/v1' (DashScope's compatible mode uses '/compatible-mode/v1'). */
  basePath?: string;
}

/** Creates the OpenAI wire format. */
export function createOpenAIFormat(options: OpenAIFormatOptions = {}): ProviderFormat {
  const basePath = options.basePath ?? '/v1';
  return {
    api: 'openai',
    basePath,
    defaultModels: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'o4-mini', 'text-embedding-3-small'],
    contextWindowTokens: 128_000,
    jsonContentType: 'application/json',
    route: (method, path) => route(basePath, method, path),
    checkHeaders: () => undefined,
    parseGenerate,
    parseEmbed,
    authError,
    invalidJsonError: () => ({
      status: 400,
      kind: 'invalid_request',
      message:
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    }),
    unknownRouteError: (method, path) => ({
      status: 404,
      kind: 'not_found',
      message: `Invalid URL (${method} ${path})`,
    }),
    blockedPromptError: () => ({ status: 400, kind: 'content_policy' }),
    renderCompletion,
    renderStream,
    renderStreamError: (error, context) => sseData(JSON.stringify(errorBody(error, context))),
    renderError: (error, context) => pretty(errorBody(error, context)),
    renderEmbeddings,
    renderModels: (models) =>
      pretty({
        object: 'list',
        data: models.map((id) => ({
          id,
          object: 'model',
          created: 1_715_367_049,
          owned_by: 'system',
        })),
      }),
    responseHeaders: (seq) => ({
      'x-request-id': `req_${pseudoHex(seq, 32)}`,
      'openai-version': '2020-10-01',
      'openai-processing-ms': '1',
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-limit-tokens': '10000000',
      'x-ratelimit-remaining-tokens': '9999000',
      'x-ratelimit-reset-tokens': '6ms',
    }),
  };
}

function route(basePath: string, method: string, path: string): FakeOperation | undefined {
  if (method === 'POST' && path === `${basePath}/chat/completions`) {
    return { kind: 'generate', model: undefined, stream: undefined, sse: true };
  }
  if (method === 'POST' && path === `${basePath}/embeddings`) {
    return { kind: 'embed', model: undefined, batch: false };
  }
  if (method === 'GET' && path === `${basePath}/models`) return { kind: 'models' };
  return undefined;
}

function invalid(message: string, param?: string, code?: string): FakeError {
  return {
    status: 400,
    kind: 'invalid_request',
    message,
    ...(param === undefined ? {} : { param }),
    ...(code === undefined ? {} : { code }),
  };
}

function parseGenerate(_operation: unknown, body: unknown): GenerateRequest | FakeError {
  if (!isRecord(body)) return invalid('Invalid body: expected an object.');
  const model = stringField(body.model);
  if (model === undefined || model === '') return invalid('you must provide a model parameter');
  if (!Array.isArray(body.messages)) {
    return invalid(
      "Missing required parameter: 'messages'.",
      'messages',
      'missing_required_parameter',
    );
  }
  if (body.messages.length === 0) {
    return invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const texts: string[] = [];
  let lastUserText = '';
  let systemText = '';
  for (const [index, message] of body.messages.entries()) {
    const role = stringField(recordField(message).role) ?? '';
    if (!ROLES.has(role)) {
      return invalid(
        `Invalid value: '${role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        `messages[${index}].role`,
        'invalid_value',
      );
    }
    const text = messageText(recordField(message));
    texts.push(text);
    if (role === 'user') lastUserText = text;
    if (role === 'system' || role === 'developer') systemText += text;
  }
  const tools = arrayField(body.tools);
  if (tools.length > 0) texts.push(JSON.stringify(tools));
  const streamOptions = recordField(body.stream_options);
  const responseFormat = stringField(recordField(body.response_format).type);
  return {
    model,
    stream: body.stream === true,
    promptTokens: estimateTokens(texts.join('\n')),
    lastUserText,
    systemText,
    maxOutputTokens: numberField(body.max_completion_tokens) ?? numberField(body.max_tokens),
    toolNames: tools.map((tool) => stringField(recordField(recordField(tool).function).name) ?? ''),
    forcedTool: forcedTool(body.tool_choice),
    jsonMode: responseFormat === 'json_object' || responseFormat === 'json_schema',
    includeUsage: streamOptions.include_usage === true,
    includeObfuscation: streamOptions.include_obfuscation !== false,
    sse: true,
  };
}

function messageText(message: JsonObject): string {
  const parts: string[] = [];
  const content = message.content;
  if (typeof content === 'string') parts.push(content);
  for (const part of arrayField(content)) {
    const record = recordField(part);
    const text = stringField(record.text) ?? stringField(record.refusal);
    if (text !== undefined) parts.push(text);
  }
  for (const call of arrayField(message.tool_calls)) {
    const fn = recordField(recordField(call).function);
    parts.push(`${stringField(fn.name) ?? ''}${stringField(fn.arguments) ?? ''}`);
  }
  return parts.join('\n');
}

function forcedTool(choice: unknown): string | undefined {
  if (choice === 'required') return '';
  const name = stringField(recordField(recordField(choice).function).name);
  return name;
}

function parseEmbed(_operation: unknown, body: unknown): EmbedRequest | FakeError {
  if (!isRecord(body)) return invalid('Invalid body: expected an object.');
  const model = stringField(body.model);
  if (model === undefined || model === '') return invalid('you must provide a model parameter');
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined || inputs.length === 0 || inputs.some((input) => input === '')) {
    return invalid(
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
    );
  }
  return {
    model,
    inputs,
    dimensions: numberField(body.dimensions) ?? DEFAULT_EMBEDDING_DIMENSIONS,
    base64: body.encoding_format === 'base64',
    batch: false,
  };
}

/** `input` may be a string, strings, a token array or token arrays; tokens become words. */
function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
  return input.map((item) => (Array.isArray(item) ? item.join(' ') : String(item)));
}

function authError(apiKey: string | undefined): FakeError {
  if (apiKey === undefined) {
    return {
      status: 401,
      kind: 'authentication',
      code: null,
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    };
  }
  return {
    status: 401,
    kind: 'authentication',
    code: 'invalid_api_key',
    message: `Incorrect API key provided: ${maskKey(apiKey)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  };
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function completionId(completion: FakeCompletion): string {
  return `chatcmpl-${pseudoId(completion.seq, 29)}`;
}

function toolCallId(completion: FakeCompletion, call: FakeToolCall, index: number): string {
  return call.id ?? `call_${pseudoId(completion.seq * 31 + index + 1, 24)}`;
}

function usageBody(usage: FakeUsage): JsonObject {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function renderCompletion(completion: FakeCompletion): string {
  const hasTools = completion.toolCalls.length > 0;
  const message: JsonObject = {
    role: 'assistant',
    content: hasTools && completion.text === '' ? null : completion.text,
    refusal: null,
    annotations: [],
  };
  if (hasTools) {
    message.tool_calls = completion.toolCalls.map((call, index) => ({
      id: toolCallId(completion, call, index),
      type: 'function',
      function: { name: call.name, arguments: call.argumentsJson },
    }));
  }
  return pretty({
    id: completionId(completion),
    object: 'chat.completion',
    created: completion.createdSeconds,
    model: completion.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: completion.finishReason }],
    ...(completion.usage === undefined ? {} : { usage: usageBody(completion.usage) }),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  });
}

// Obfuscation strings are slices of this, so padding costs no per-chunk randomness.
const OBFUSCATION = pseudoId(0x0bf5, 64);

function renderStream(completion: FakeCompletion, request: GenerateRequest): StreamFrames {
  let sequence = 0;
  // Every chunk repeats id, created and model, so that prefix is serialised once; `usage: null`
  // appears on each chunk only when usage was requested, and `obfuscation` pads chunk sizes
  // unless turned off (as the API does).
  const prefix = JSON.stringify({
    id: completionId(completion),
    object: 'chat.completion.chunk',
    created: completion.createdSeconds,
    model: completion.model,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  }).slice(0, -1);
  const chunk = (choices: unknown[], usage?: JsonObject): string => {
    sequence += 1;
    let json = `${prefix},"choices":${JSON.stringify(choices)}`;
    if (request.includeUsage)
      json += `,"usage":${usage === undefined ? 'null' : JSON.stringify(usage)}`;
    if (request.includeObfuscation) {
      const start = (completion.seq * 7 + sequence * 13) % 48;
      json += `,"obfuscation":"${OBFUSCATION.slice(start, start + 1 + (sequence % 13))}"`;
    }
    return sseData(`${json}}`);
  };
  const delta = (value: JsonObject, finish: string | null = null): string =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finish }]);

  const hasTools = completion.toolCalls.length > 0;
  const head = delta({
    role: 'assistant',
    content: hasTools && completion.text === '' ? null : '',
    refusal: null,
  });
  const chunks = completion.textChunks.map((text) => delta({ content: text }));
  completion.toolCalls.forEach((call, index) => {
    call.argumentChunks.forEach((fragment, fragmentIndex) => {
      const start =
        fragmentIndex === 0
          ? delta({
              tool_calls: [
                {
                  index,
                  id: toolCallId(completion, call, index),
                  type: 'function',
                  function: { name: call.name, arguments: '' },
                },
              ],
            })
          : '';
      chunks.push(start + delta({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    });
  });
  let tail = delta({}, completion.finishReason);
  if (request.includeUsage && completion.usage !== undefined) {
    tail += chunk([], usageBody(completion.usage));
  }
  tail += 'data: [DONE]\n\n';
  return { contentType: 'text/event-stream; charset=utf-8', head, chunks, tail };
}

interface NativeError {
  type: string;
  code: string | null;
  message: string;
  param?: string;
}

function nativeError(kind: FakeErrorKind, context: ErrorContext): NativeError {
  switch (kind) {
    case 'invalid_request':
      return { type: 'invalid_request_error', code: null, message: 'Invalid request.' };
    case 'context_length':
      return {
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
        param: 'messages',
        message: `This model's maximum context length is ${context.contextWindowTokens} tokens. However, your messages resulted in ${Math.max(context.promptTokens, context.contextWindowTokens + 1)} tokens. Please reduce the length of the messages.`,
      };
    case 'authentication':
      return {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message: 'Incorrect API key provided.',
      };
    case 'permission':
      return {
        type: 'invalid_request_error',
        code: null,
        message: 'You are not allowed to sample from this model',
      };
    case 'not_found':
      return {
        type: 'invalid_request_error',
        code: 'model_not_found',
        message: `The model \`${context.model}\` does not exist or you do not have access to it.`,
      };
    case 'request_too_large':
      return { type: 'invalid_request_error', code: null, message: 'Request too large.' };
    case 'rate_limit':
      return {
        type: 'requests',
        code: 'rate_limit_exceeded',
        message: `Rate limit reached for ${context.model} in organization org-fake on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${context.retryAfterSeconds ?? 0.12}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      };
    case 'server_error':
      return {
        type: 'server_error',
        code: null,
        message: 'The server had an error while processing your request. Sorry about that!',
      };
    case 'overloaded':
      return {
        type: 'server_error',
        code: null,
        message: 'The server is overloaded or not ready yet.',
      };
    case 'timeout':
      return { type: 'server_error', code: null, message: 'Request timed out.' };
    case 'content_policy':
      return {
        type: 'invalid_request_error',
        code: 'invalid_prompt',
        message:
          'Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting',
      };
  }
}

function errorBody(error: FakeError, context: ErrorContext): JsonObject {
  const native = nativeError(error.kind, context);
  return {
    error: {
      message: error.message ?? native.message,
      type: native.type,
      param: error.param ?? native.param ?? null,
      code: error.code === undefined ? native.code : error.code,
    },
  };
}

function renderEmbeddings(
  vectors: number[][],
  request: EmbedRequest,
  promptTokens: number,
): string {
  return pretty({
    object: 'list',
    data: vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: request.base64 ? toBase64Float32(vector) : vector,
    })),
    model: request.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}
