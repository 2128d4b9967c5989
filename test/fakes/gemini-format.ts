// Gemini (Generative Language API, v1beta) as generativelanguage.googleapis.com speaks it
// (2025-2026): pretty-printed JSON bodies, `:streamGenerateContent?alt=sse` as `data:` events
// framed with CRLF and serialised in Google's `"key": value` style, or a streamed JSON array
// without `alt=sse`; cumulative usageMetadata on every chunk; proto3 JSON (zero counts
// omitted); errors as {"error":{code,message,status,details}}. Unknown request fields are
// rejected, as the real API does, in camelCase or snake_case.
import type { FakeCompletion, FakeUsage } from './completion.ts';
import { DEFAULT_EMBEDDING_DIMENSIONS } from './embedding.ts';
import { pseudoId } from './hash.ts';
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
  numberField,
  recordField,
  stringField,
  type JsonObject,
} from './request-fields.ts';
import type { FakeFinishReason } from './script-step.ts';
import { sseDataCrlf } from './sse.ts';
import { estimateTokens } from './token-estimate.ts';

const KNOWN_FIELDS = new Set([
  'model',
  'contents',
  'tools',
  'toolConfig',
  'tool_config',
  'safetySettings',
  'safety_settings',
  'systemInstruction',
  'system_instruction',
  'generationConfig',
  'generation_config',
  'cachedContent',
  'cached_content',
  'labels',
]);

const FINISH_REASONS: Readonly<Record<FakeFinishReason, string>> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP', // Gemini has no tool-call finish reason: a functionCall part ends with STOP.
  content_filter: 'SAFETY',
};

const PATH = /^\/(?:v1beta|v1)\/models\/([^/:]+):([A-Za-z]+)$/;

/** Creates the Gemini wire format. */
export function createGeminiFormat(): ProviderFormat {
  return {
    api: 'gemini',
    basePath: '/v1beta',
    defaultModels: [
      'gemini-2.5-flash',
      'gemini-2.5-pro',
      'gemini-2.5-flash-lite',
      'gemini-embedding-001',
    ],
    contextWindowTokens: 1_048_576,
    jsonContentType: 'application/json; charset=UTF-8',
    route,
    checkHeaders: () => undefined,
    parseGenerate,
    parseEmbed,
    authError: (apiKey) =>
      apiKey === undefined
        ? {
            status: 403,
            kind: 'permission',
            message:
              "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          }
        : {
            status: 400,
            kind: 'authentication',
            code: 'API_KEY_INVALID',
            message: 'API key not valid. Please pass a valid API key.',
          },
    invalidJsonError: () => invalid('Invalid JSON payload received. Unexpected token.'),
    unknownRouteError: (method, path) => ({
      status: 404,
      kind: 'not_found',
      message: `The requested URL ${path} was not found on this server (${method}).`,
    }),
    blockedPromptError: () => undefined,
    renderCompletion,
    renderStream,
    renderStreamError: (error, context, request) => {
      const body = googleJson(errorBody(error, context));
      return request.sse ? sseDataCrlf(body) : `,\r\n${body}\n]`;
    },
    renderError: (error, context) => pretty(errorBody(error, context)),
    renderEmbeddings,
    renderModels: (models) => pretty({ models: models.map(modelInfo) }),
    responseHeaders: () => ({
      vary: 'Origin, X-Origin, Referer',
      'server-timing': 'gfet4t7; dur=1',
    }),
  };
}

function route(method: string, path: string, query: URLSearchParams): FakeOperation | undefined {
  if (method === 'GET' && (path === '/v1beta/models' || path === '/v1/models')) {
    return { kind: 'models' };
  }
  const match = method === 'POST' ? PATH.exec(path) : null;
  if (match === null) return undefined;
  const model = decodeURIComponent(match[1] ?? '');
  switch (match[2]) {
    case 'generateContent':
      return { kind: 'generate', model, stream: false, sse: false };
    case 'streamGenerateContent':
      return { kind: 'generate', model, stream: true, sse: query.get('alt') === 'sse' };
    case 'embedContent':
      return { kind: 'embed', model, batch: false };
    case 'batchEmbedContents':
      return { kind: 'embed', model, batch: true };
    default:
      return undefined;
  }
}

function invalid(message: string): FakeError {
  return { status: 400, kind: 'invalid_request', message };
}

/** Reads a field the API accepts in camelCase or snake_case. */
function field(body: JsonObject, camel: string): unknown {
  return body[camel] ?? body[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function partsText(content: unknown): string {
  return arrayField(recordField(content).parts)
    .map((part) => {
      const record = recordField(part);
      const text = stringField(record.text);
      if (text !== undefined) return text;
      const call = field(record, 'functionCall') ?? field(record, 'functionResponse');
      return call === undefined ? '' : JSON.stringify(call);
    })
    .join('\n');
}

function parseGenerate(
  operation: Extract<FakeOperation, { kind: 'generate' }>,
  body: unknown,
): GenerateRequest | FakeError {
  if (!isRecord(body)) return invalid('Invalid JSON payload received. Expected an object.');
  const extra = Object.keys(body).find((key) => !KNOWN_FIELDS.has(key));
  if (extra !== undefined) {
    return invalid(`Invalid JSON payload received. Unknown name "${extra}": Cannot find field.`);
  }
  const contents = arrayField(body.contents);
  if (contents.length === 0) {
    return invalid('* GenerateContentRequest.contents: contents is not specified\n');
  }
  const texts = [partsText(field(body, 'systemInstruction'))];
  let lastUserText = '';
  for (const content of contents) {
    const role = recordField(content).role;
    if (role !== undefined && role !== 'user' && role !== 'model') {
      return invalid('Please use a valid role: user, model.');
    }
    const text = partsText(content);
    texts.push(text);
    if (role !== 'model') lastUserText = text;
  }
  const tools = arrayField(body.tools);
  if (tools.length > 0) texts.push(JSON.stringify(tools));
  const generation = recordField(field(body, 'generationConfig'));
  const calling = recordField(
    field(recordField(field(body, 'toolConfig')), 'functionCallingConfig'),
  );
  const allowed = arrayField(field(calling, 'allowedFunctionNames'));
  return {
    model: operation.model ?? '',
    stream: operation.stream === true,
    promptTokens: estimateTokens(texts.join('\n')),
    lastUserText,
    systemText: partsText(field(body, 'systemInstruction')),
    maxOutputTokens: numberField(field(generation, 'maxOutputTokens')),
    toolNames: tools.flatMap((tool) =>
      arrayField(field(recordField(tool), 'functionDeclarations')).map(
        (declaration) => stringField(recordField(declaration).name) ?? '',
      ),
    ),
    forcedTool: calling.mode === 'ANY' ? (stringField(allowed[0]) ?? '') : undefined,
    jsonMode: field(generation, 'responseMimeType') === 'application/json',
    includeUsage: true,
    includeObfuscation: false,
    sse: operation.sse,
  };
}

function parseEmbed(
  operation: Extract<FakeOperation, { kind: 'embed' }>,
  body: unknown,
): EmbedRequest | FakeError {
  if (!isRecord(body)) return invalid('Invalid JSON payload received. Expected an object.');
  const requests = operation.batch ? arrayField(body.requests).map(recordField) : [body];
  if (requests.length === 0) {
    return invalid('* BatchEmbedContentsRequest.requests: requests is not specified\n');
  }
  const inputs: string[] = [];
  for (const request of requests) {
    if (!isRecord(request.content)) {
      return invalid('* EmbedContentRequest.content: content is not specified\n');
    }
    inputs.push(partsText(request.content));
  }
  const first = requests[0] ?? {};
  return {
    model: operation.model ?? '',
    inputs,
    dimensions: numberField(field(first, 'outputDimensionality')) ?? DEFAULT_EMBEDDING_DIMENSIONS,
    base64: false,
    batch: operation.batch,
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Google's streaming serialiser: `"key": value`, items separated by a bare comma. Built from
 * JSON.stringify by adding a space after each key's colon (the only colons outside strings),
 * which is far cheaper per chunk than a recursive serialiser.
 */
function googleJson(value: unknown): string {
  const json = JSON.stringify(value);
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === COLON) {
      out += `${json.slice(from, i + 1)} `;
      from = i + 1;
    }
  }
  return out + json.slice(from);
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Proto3 JSON leaves zero counts out. */
function nonZero(value: number): number | undefined {
  return value === 0 ? undefined : value;
}

/** Gemini counts thoughts apart from candidates; the total includes both. */
function usageMetadata(usage: FakeUsage, outputSoFar: number): JsonObject {
  const candidates = Math.max(0, outputSoFar - usage.reasoningTokens);
  return {
    promptTokenCount: nonZero(usage.inputTokens),
    candidatesTokenCount: nonZero(candidates),
    totalTokenCount: nonZero(usage.inputTokens + candidates + usage.reasoningTokens),
    cachedContentTokenCount: nonZero(usage.cachedInputTokens),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.inputTokens }],
    thoughtsTokenCount: nonZero(usage.reasoningTokens),
  };
}

const SAFETY_RATINGS = [
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
];

function responseId(completion: FakeCompletion): string {
  return pseudoId(completion.seq, 23);
}

/** One GenerateContentResponse. `parts` undefined leaves the content without parts. */
function response(
  completion: FakeCompletion,
  parts: JsonObject[] | undefined,
  finished: boolean,
  outputSoFar: number,
): JsonObject {
  const blocked = finished && completion.finishReason === 'content_filter';
  const candidate: JsonObject = {
    content: parts === undefined ? { role: 'model' } : { parts, role: 'model' },
    finishReason: finished ? FINISH_REASONS[completion.finishReason] : undefined,
    safetyRatings: blocked ? SAFETY_RATINGS : undefined,
    index: 0,
  };
  return {
    candidates: [candidate],
    usageMetadata:
      completion.usage === undefined ? undefined : usageMetadata(completion.usage, outputSoFar),
    modelVersion: completion.model,
    responseId: responseId(completion),
  };
}

function blockedPrompt(completion: FakeCompletion): JsonObject {
  return {
    promptFeedback: { blockReason: 'SAFETY', safetyRatings: SAFETY_RATINGS },
    usageMetadata: completion.usage === undefined ? undefined : usageMetadata(completion.usage, 0),
    modelVersion: completion.model,
    responseId: responseId(completion),
  };
}

function allParts(completion: FakeCompletion): JsonObject[] {
  const parts: JsonObject[] = completion.text === '' ? [] : [{ text: completion.text }];
  for (const call of completion.toolCalls)
    parts.push(functionCallPart(call.name, call.argumentsJson));
  return parts;
}

function functionCallPart(name: string, argumentsJson: string): JsonObject {
  let args: unknown = {};
  try {
    args = JSON.parse(argumentsJson);
  } catch {
    // Gemini's args are always an object; unparseable scripted arguments become {}.
  }
  return { functionCall: { name, args } };
}

function renderCompletion(completion: FakeCompletion): string {
  if (completion.promptBlocked) return pretty(blockedPrompt(completion));
  const parts = allParts(completion);
  // A SAFETY stop withholds the content; an empty answer has a content without parts.
  const shown =
    completion.finishReason === 'content_filter' || parts.length === 0 ? undefined : parts;
  return pretty(response(completion, shown, true, completion.usage?.outputTokens ?? 0));
}

function renderStream(completion: FakeCompletion, request: GenerateRequest): StreamFrames {
  // Without alt=sse the stream is one JSON array whose elements arrive one by one.
  const frame: (value: JsonObject, index: number) => string = request.sse
    ? (value) => sseDataCrlf(googleJson(value))
    : (value, index) => `${index === 0 ? '' : ',\r\n'}${pretty(value)}`;
  const contentType = request.sse ? 'text/event-stream' : 'application/json; charset=UTF-8';
  const head = request.sse ? '' : '[';
  const end = request.sse ? '' : '\n]';
  if (completion.promptBlocked) {
    return { contentType, head, chunks: [], tail: frame(blockedPrompt(completion), 0) + end };
  }
  const partsPerChunk: JsonObject[][] = completion.textChunks.map((text) => [{ text }]);
  for (const call of completion.toolCalls) {
    partsPerChunk.push([functionCallPart(call.name, call.argumentsJson)]);
  }
  const total = completion.usage?.outputTokens ?? 0;
  const count = partsPerChunk.length;
  const chunks = partsPerChunk.map((parts, index) => {
    const outputSoFar = Math.ceil((total * (index + 1)) / count);
    return frame(response(completion, parts, index === count - 1, outputSoFar), index);
  });
  // With nothing to stream, one closing chunk carries the finish reason alone.
  const tail = count === 0 ? frame(response(completion, undefined, true, total), 0) + end : end;
  return { contentType, head, chunks, tail };
}

function googleStatus(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 408:
    case 504:
      return 'DEADLINE_EXCEEDED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 503:
    case 529:
      return 'UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  }
}

function nativeMessage(kind: FakeErrorKind, context: ErrorContext): string {
  switch (kind) {
    case 'invalid_request':
      return 'Request contains an invalid argument.';
    case 'context_length':
      return `The input token count (${Math.max(context.promptTokens, context.contextWindowTokens + 1)}) exceeds the maximum number of tokens allowed (${context.contextWindowTokens}).`;
    case 'authentication':
      return 'API key not valid. Please pass a valid API key.';
    case 'permission':
      return 'The caller does not have permission';
    case 'not_found':
      return `models/${context.model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`;
    case 'request_too_large':
      return 'Request payload size exceeds the limit: 20971520 bytes.';
    case 'rate_limit':
      return 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
    case 'server_error':
      return 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting';
    case 'overloaded':
      return 'The model is overloaded. Please try again later.';
    case 'timeout':
      return 'Deadline expired before operation could complete.';
    case 'content_policy':
      return 'The request was blocked by safety filters.';
  }
}

function errorDetails(error: FakeError, context: ErrorContext): JsonObject[] | undefined {
  if (error.kind === 'authentication') {
    return [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: error.code ?? 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ];
  }
  if (error.kind !== 'rate_limit') return undefined;
  const details: JsonObject[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
          quotaDimensions: { location: 'global', model: context.model },
          quotaValue: '1000',
        },
      ],
    },
  ];
  if (context.retryAfterSeconds !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: `${context.retryAfterSeconds}s`,
    });
  }
  return details;
}

function errorBody(error: FakeError, context: ErrorContext): JsonObject {
  const details = errorDetails(error, context);
  return {
    error: {
      code: error.status,
      message: error.message ?? nativeMessage(error.kind, context),
      status: googleStatus(error.status),
      ...(details === undefined ? {} : { details }),
    },
  };
}

function renderEmbeddings(vectors: number[][], request: EmbedRequest): string {
  if (request.batch) return pretty({ embeddings: vectors.map((values) => ({ values })) });
  return pretty({ embedding: { values: vectors[0] ?? [] } });
}

function modelInfo(id: string): JsonObject {
  const embedding = id.includes('embedding');
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    inputTokenLimit: embedding ? 2048 : 1_048_576,
    outputTokenLimit: embedding ? 1 : 65_536,
    supportedGenerationMethods: embedding
      ? ['embedContent', 'countTextTokens', 'countTokens']
      : ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
  };
}
