import type { UpstreamError, UpstreamErrorKind } from './adapter.ts';

/** Response headers as undici gives them (lower-case names). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** What a provider-specific error parser extracted from a body. */
export interface ErrorDetails {
  /** The provider's human message (unredacted; {@link classifyError} redacts it). */
  message: string;
  /** The provider's machine code or type (`context_length_exceeded`, `overloaded_error`, …). */
  code: string;
  /** A retry delay the body itself gives (Gemini's RetryInfo). */
  retryAfterMs?: number;
}

/** Longest provider message kept in an UpstreamError. */
const MAX_MESSAGE_CHARS = 500;

/**
 * The wordings providers use when the prompt does not fit the model's window, lower-case:
 * OpenAI and vLLM ("maximum context length"), llama.cpp ("exceeds the available context size"),
 * vLLM v1 ("maximum model length"), Mistral ("too large for model with … maximum context
 * length"), Anthropic ("prompt is too long", "exceed context limit"), Gemini ("input token count
 * … exceeds the maximum number of tokens allowed"), Groq/DeepSeek ("reduce the length of the
 * messages").
 */
const CONTEXT_LENGTH_PHRASES = [
  'context_length_exceeded',
  'maximum context length',
  'context length exceeded',
  'exceeds the available context size',
  'maximum model length',
  'prompt is too long',
  'exceed context limit',
  'exceeds the maximum number of tokens',
  'reduce the length of the messages',
  'context window',
];

/**
 * Classifies a non-2xx answer from its status, the provider's code and message and the
 * retry hints in its headers. Shared by every adapter; provider parsers only extract details.
 */
export function classifyError(
  status: number,
  headers: ResponseHeaders,
  details: ErrorDetails,
  nowMs: number,
): UpstreamError {
  const text = `${details.code} ${details.message}`.toLowerCase();
  const kind = errorKind(status, text);
  const message = redactSecrets(details.message).slice(0, MAX_MESSAGE_CHARS) || `HTTP ${status}`;
  const error: UpstreamError = { kind, status, message };
  if (kind === 'rate_limited' || kind === 'overloaded' || kind === 'server_error') {
    const retryAfterMs = retryAfterFromHeaders(headers, nowMs) ?? details.retryAfterMs;
    if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
  }
  return error;
}

function errorKind(status: number, text: string): UpstreamErrorKind {
  if (CONTEXT_LENGTH_PHRASES.some((phrase) => text.includes(phrase))) {
    return 'context_length_exceeded';
  }
  if (status === 429) {
    // OpenAI's insufficient_quota is a billing state, not a burst: waiting does not help, so
    // it is treated like a credential problem (fail over, mark the provider unhealthy).
    return text.includes('insufficient_quota') ? 'authentication' : 'rate_limited';
  }
  if (status === 503 || status === 529 || text.includes('overloaded')) return 'overloaded';
  if (status >= 500 || status === 408 || status === 409) return 'server_error';
  return clientErrorKind(status, text);
}

function clientErrorKind(status: number, text: string): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'authentication';
  // Gemini answers 400 INVALID_ARGUMENT for a bad key.
  if (text.includes('api_key_invalid') || text.includes('api key not valid')) {
    return 'authentication';
  }
  if (status === 404) return 'not_found';
  if (text.includes('content_filter') || text.includes('content_policy_violation')) {
    return 'content_filter';
  }
  return 'invalid_request';
}

/**
 * A delay from `retry-after-ms` (OpenAI, Azure), `retry-after` (seconds or an HTTP date) or,
 * failing those, OpenAI's `x-ratelimit-reset-requests`/`-tokens` hints (`1s`, `6m0s`, `20ms`)
 * for whichever limit is exhausted.
 */
export function retryAfterFromHeaders(headers: ResponseHeaders, nowMs: number): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) {
    return Math.ceil(ms);
  }
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const parsed = parseRetryAfter(retryAfter, nowMs);
    if (parsed !== undefined) return parsed;
  }
  const hints: number[] = [];
  for (const limit of ['requests', 'tokens']) {
    const reset = header(headers, `x-ratelimit-reset-${limit}`);
    if (reset === undefined) continue;
    const delay = parseDuration(reset);
    if (delay === undefined) continue;
    if (header(headers, `x-ratelimit-remaining-${limit}`) === '0') return delay;
    hints.push(delay);
  }
  return hints.length > 0 ? Math.min(...hints) : undefined;
}

/** `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Go-style durations as OpenAI and Google send them: `1s`, `6m0s`, `20ms`, `1h2m`, `32.5s`. */
export function parseDuration(value: string): number | undefined {
  const matches = value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g);
  let total = 0;
  let any = false;
  for (const [, amount, unit] of matches) {
    any = true;
    const n = Number(amount);
    total += unit === 'h' ? n * 3_600_000 : unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : n;
  }
  return any ? Math.ceil(total) : undefined;
}

/** A header value (first of several), looked up by its lower-case name. */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Removes anything that looks like a credential from a provider message: OpenAI/Anthropic
 * style keys (`sk-…`), Google API keys (`AIza…`), bearer tokens and any other long opaque run.
 * Providers mask keys themselves, but a message must never be the place a key leaks from.
 */
export function redactSecrets(message: string): string {
  return message
    .replace(/\b(?:sk|pk|rk)-[A-Za-z0-9_*-]{6,}/g, '[redacted]')
    .replace(/\bAIza[A-Za-z0-9_-]{10,}/g, '[redacted]')
    .replace(/\b(Bearer)\s+\S+/gi, '$1 [redacted]')
    .replace(/[A-Za-z0-9_-]{40,}/g, '[redacted]');
}

/** Parses a JSON body, or returns undefined. */
export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The raw body as a message when it is not a JSON error: trimmed and cut short. */
export function rawMessage(body: string): string {
  return body.trim().slice(0, 200);
}
