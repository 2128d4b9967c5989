import type { ProviderApi } from '../../core/api/model-provider.ts';
import type { Usage } from '../../core/cost/usage.ts';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
} from '../../core/openai/types.ts';

/**
 * A provider adapter translates between OpenAI's chat-completions format (what clients speak to
 * the proxy) and one provider's wire format. Adapters are pure translators: the executor does the
 * I/O, so one conformance suite can drive every adapter with recorded wire fixtures.
 */
export interface ProviderAdapter {
  readonly api: ProviderApi;
  /**
   * Builds the upstream HTTP request for a chat completion (streaming when `request.stream`).
   * Throws AdapterError when the request cannot be expressed for this provider.
   */
  buildChatRequest(request: ChatCompletionRequest, target: UpstreamTarget): UpstreamRequest;
  /**
   * Parses a successful (2xx) non-streaming upstream body into an OpenAI chat completion.
   * Throws UpstreamFailure (`bad_response`) for a body it cannot read.
   */
  parseChatResponse(body: string, context: ResponseContext): ParsedCompletion;
  /** Creates a translator for one upstream stream (SSE bytes in, OpenAI chunks out). */
  createStreamTranslator(context: ResponseContext): StreamTranslator;
  /**
   * Builds the upstream request for embeddings; throws AdapterError (adapter-error.ts) with code
   * `unsupported` when the API has none.
   */
  buildEmbeddingsRequest(request: EmbeddingsRequest, target: UpstreamTarget): UpstreamRequest;
  /**
   * Parses a successful embeddings body. When the provider reports no usage, it is estimated
   * from `context.request.input` if the caller passes the embeddings request there.
   */
  parseEmbeddingsResponse(
    body: string,
    context: ResponseContext,
  ): { response: EmbeddingsResponse; usage: Usage };
  /** Classifies a non-2xx upstream answer. */
  parseError(
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: string,
    /** Wall-clock now, to turn an HTTP-date Retry-After into a delay; defaults to Date.now(). */
    nowMs?: number,
  ): UpstreamError;
  /** A cheap request that proves the provider is up without spending tokens (e.g. list models). */
  buildHealthProbe(target: UpstreamTarget): UpstreamRequest;
}

/** Where and as what a request goes upstream. */
export interface UpstreamTarget {
  /** Base URL from the provider config, without trailing slash. */
  baseURL: string;
  /** The model id the provider knows (ModelConfig.upstreamName). */
  upstreamModel: string;
  /** The API key, when the provider has one. Never logged. */
  apiKey?: string;
  /** Static extra headers from the provider config. */
  headers: Record<string, string>;
  /** Provider's max output tokens, to fill Anthropic's required max_tokens. */
  maxOutputTokens: number;
}

/** An upstream HTTP request, ready for undici. `path` is appended to the origin of baseURL. */
export interface UpstreamRequest {
  /** Full URL. */
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** What an adapter needs to shape the response the client sees. */
export interface ResponseContext {
  /** The model name the client sees in responses (`provider/model` or the alias' choice). */
  responseModel: string;
  /** The request, to estimate usage when the provider omits it and to honour include_usage. */
  request: ChatCompletionRequest;
  /** Unix seconds for `created`; passed in so tests are deterministic. */
  createdSeconds: number;
  /** Response id to use when the provider gives none. */
  fallbackId: string;
}

/** A parsed non-streaming completion with its normalised usage. */
export interface ParsedCompletion {
  completion: ChatCompletion;
  usage: Usage;
}

/**
 * Translates one upstream stream. `push` is called with raw bytes as they arrive (decoded to
 * text by the caller, chunk boundaries arbitrary) and returns the OpenAI chunks now complete;
 * `end` flushes at upstream end of stream. `usage()` is known once the stream ended (estimated
 * when the provider sent none). An upstream error event, or a stream cut before its end, surfaces
 * as a thrown UpstreamFailure (an Error that is also an UpstreamError).
 */
export interface StreamTranslator {
  push(text: string): ChatCompletionChunk[];
  end(): ChatCompletionChunk[];
  usage(): Usage;
  /** True once any chunk carrying content, a tool call or a refusal was produced. */
  readonly sawContent: boolean;
}

/** Why an upstream attempt failed, in terms the executor can act on. */
export type UpstreamErrorKind =
  | 'rate_limited' // 429: fail over, honour Retry-After
  | 'overloaded' // 503/529: fail over
  | 'server_error' // 5xx
  | 'context_length_exceeded' // try a model with a larger window
  | 'invalid_request' // 400: the caller's fault; do not fail over
  | 'authentication' // 401/403: our credential; fail over, mark provider unhealthy
  | 'not_found' // 404: model unknown upstream
  | 'content_filter' // blocked by the provider's safety system
  | 'bad_response'; // unparseable or malformed upstream answer

/** An upstream failure, classified. Messages never contain the API key. */
export interface UpstreamError {
  kind: UpstreamErrorKind;
  status: number;
  message: string;
  /** Milliseconds from Retry-After (seconds or HTTP date) or provider-specific hints. */
  retryAfterMs?: number;
}
