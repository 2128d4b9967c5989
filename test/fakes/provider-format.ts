import type { FakeCompletion } from './completion.ts';
import type { FakeApi } from './fake-api.ts';

/** What a request asks the fake to do, decided from its method and path. */
export type FakeOperation =
  | {
      kind: 'generate';
      /** From the path (Gemini) or undefined (taken from the body). */
      model: string | undefined;
      /** From the path (Gemini) or undefined (taken from the body). */
      stream: boolean | undefined;
      /** Gemini streaming framing: SSE (`alt=sse`) or a streamed JSON array. */
      sse: boolean;
    }
  | { kind: 'embed'; model: string | undefined; batch: boolean }
  | { kind: 'models' };

/** A generation request reduced to what the fake needs to answer it. */
export interface GenerateRequest {
  model: string;
  stream: boolean;
  /** Estimated prompt tokens: every text in the request (system, messages, tool schemas). */
  promptTokens: number;
  /** The last user turn's text, the seed of the default reply. */
  lastUserText: string;
  /** The system instructions (OpenAI system/developer messages, Anthropic `system`, Gemini systemInstruction). */
  systemText: string;
  /** The request's output cap (max_tokens, maxOutputTokens), when it has one. */
  maxOutputTokens: number | undefined;
  /** Names of the tools offered. */
  toolNames: string[];
  /** A tool the request forces: its name, or '' for "any tool". */
  forcedTool: string | undefined;
  /** The request asks for JSON output (response_format, responseMimeType). */
  jsonMode: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  /** OpenAI `stream_options.include_obfuscation` (default true). */
  includeObfuscation: boolean;
  /** Gemini streaming framing: SSE, or the JSON array. */
  sse: boolean;
}

/** An embeddings request reduced to what the fake needs. */
export interface EmbedRequest {
  model: string;
  inputs: string[];
  dimensions: number;
  /** OpenAI `encoding_format: "base64"` (the official SDK's default). */
  base64: boolean;
  /** Gemini batchEmbedContents (several answers) rather than embedContent. */
  batch: boolean;
}

/** Provider-neutral error categories; each format renders them in its own words and shapes. */
export type FakeErrorKind =
  | 'invalid_request'
  | 'context_length'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  | 'server_error'
  | 'overloaded'
  | 'timeout'
  | 'content_policy';

/** An error to answer with. Unset fields get the provider's usual wording. */
export interface FakeError {
  status: number;
  kind: FakeErrorKind;
  message?: string;
  /** Provider-native code (OpenAI `code`, Gemini ErrorInfo reason); null forces none. */
  code?: string | null;
  /** OpenAI `param`. */
  param?: string;
}

/** Facts an error body may quote. */
export interface ErrorContext {
  /** The fake's request counter, for request ids. */
  seq: number;
  model: string;
  promptTokens: number;
  contextWindowTokens: number;
  retryAfterSeconds: number | undefined;
}

/**
 * A stream, as frames ready to write. `head` goes out with the first chunk (or alone before the
 * tail when there are none); `chunks` are the content chunks that delays, resets and in-band
 * errors are counted in; `tail` closes the stream.
 */
export interface StreamFrames {
  contentType: string;
  head: string;
  chunks: string[];
  tail: string;
}

/** One wire format: how requests are routed and parsed, and how answers are rendered. */
export interface ProviderFormat {
  readonly api: FakeApi;
  /** Path of the base URL clients are configured with ('/v1', '', '/v1beta'). */
  readonly basePath: string;
  /** Models listed when the fake is not given a list. */
  readonly defaultModels: readonly string[];
  /** Context window quoted in context-length errors when the fake is not given one. */
  readonly contextWindowTokens: number;
  /** Content type of JSON answers. */
  readonly jsonContentType: string;
  route(method: string, path: string, query: URLSearchParams): FakeOperation | undefined;
  /** Header requirements of the API besides the key (Anthropic's anthropic-version). */
  checkHeaders(headers: Readonly<Record<string, string>>): FakeError | undefined;
  parseGenerate(
    operation: Extract<FakeOperation, { kind: 'generate' }>,
    body: unknown,
  ): GenerateRequest | FakeError;
  parseEmbed(
    operation: Extract<FakeOperation, { kind: 'embed' }>,
    body: unknown,
  ): EmbedRequest | FakeError;
  /** The answer to a missing (undefined) or wrong API key. */
  authError(apiKey: string | undefined): FakeError;
  invalidJsonError(): FakeError;
  unknownRouteError(method: string, path: string): FakeError;
  /** The error a blocked prompt gets, for APIs that refuse with an error rather than a 200. */
  blockedPromptError(): FakeError | undefined;
  renderCompletion(completion: FakeCompletion, request: GenerateRequest): string;
  renderStream(completion: FakeCompletion, request: GenerateRequest): StreamFrames;
  /** An in-band error event for a stream that already started. */
  renderStreamError(error: FakeError, context: ErrorContext, request: GenerateRequest): string;
  renderError(error: FakeError, context: ErrorContext): string;
  renderEmbeddings(vectors: number[][], request: EmbedRequest, promptTokens: number): string;
  renderModels(models: readonly string[]): string;
  /** Headers the real API sends on every answer (request ids, rate-limit counters). */
  responseHeaders(seq: number): Record<string, string>;
}

/** Type guard: a parse result that is an error. */
export function isFakeError(value: object): value is FakeError {
  return 'kind' in value && 'status' in value;
}

/** The error kind a bare HTTP status stands for. */
export function errorKindForStatus(status: number): FakeErrorKind {
  switch (status) {
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit';
    case 503:
    case 529:
      return 'overloaded';
    default:
      return status >= 500 ? 'server_error' : 'invalid_request';
  }
}
