import type { ChatCompletionChunk, ChatCompletionRequest } from '../../core/openai/types.ts';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';
import type { CredentialStore } from '../config/credential-store.ts';
import type {
  ParsedCompletion,
  ProviderAdapter,
  ResponseContext,
  StreamTranslator,
  UpstreamError,
  UpstreamTarget,
} from '../providers/adapter.ts';
import { upstreamRequestIdOf, type UpstreamClient } from '../upstream/upstream-client.ts';
import { abortedByTimeout } from './attempt-timeout.ts';
import {
  thrownFailure,
  type AttemptFailure,
  type AttemptFn,
  type AttemptResult,
} from './attempt.ts';

/** What chat attempts need from the proxy. */
export interface ChatAttemptDeps {
  upstream: UpstreamClient;
  credentials: CredentialStore;
  adapterFor: (api: ResolvedTarget['provider']['api']) => ProviderAdapter;
  now: () => number;
}

/** The upstream view of a target: where to send, which model id, which key. */
export function upstreamTarget(
  target: ResolvedTarget,
  credentials: CredentialStore,
): UpstreamTarget {
  const apiKey = credentials.get(target.provider.credential);
  return {
    baseURL: target.provider.baseURL,
    upstreamModel: target.model.upstreamName,
    ...(apiKey === undefined ? {} : { apiKey }),
    headers: target.provider.headers,
    maxOutputTokens: target.model.maxOutputTokens,
  };
}

function fromUpstreamError(error: UpstreamError): AttemptFailure {
  return {
    kind: error.kind,
    status: error.status,
    message: error.message,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

/** What a successful non-streaming attempt yields. */
export type CompletionValue = ParsedCompletion & {
  upstreamMs: number;
  /** The provider's id for the answer (`upstreamRequestIdOf`). */
  upstreamRequestId: string | undefined;
};

/** A non-streaming chat attempt: the whole upstream answer, parsed and normalised. */
export function completionAttempt(
  request: ChatCompletionRequest,
  context: (target: ResolvedTarget) => ResponseContext,
  deps: ChatAttemptDeps,
): AttemptFn<CompletionValue> {
  return async (target, signal) => {
    const adapter = deps.adapterFor(target.provider.api);
    const began = deps.now();
    try {
      const upstreamRequest = adapter.buildChatRequest(
        request,
        upstreamTarget(target, deps.credentials),
      );
      const response = await deps.upstream.sendAndRead(upstreamRequest, signal);
      const { text } = response;
      if (response.statusCode < 200 || response.statusCode >= 300) {
        return {
          ok: false,
          failure: fromUpstreamError(
            adapter.parseError(response.statusCode, response.headers, text),
          ),
        };
      }
      try {
        return {
          ok: true,
          value: {
            ...adapter.parseChatResponse(text, context(target)),
            upstreamMs: deps.now() - began,
            upstreamRequestId: upstreamRequestIdOf(response.headers),
          },
        };
      } catch (error) {
        return { ok: false, failure: badResponse(error) };
      }
    } catch (error) {
      return { ok: false, failure: thrownFailure(error, abortedByTimeout(signal), false) };
    }
  };
}

/**
 * A stream that produced its first content. Until then nothing reached the client, so the
 * attempt could still fail over; from here on the relay owns it.
 */
export interface StartedStream {
  translator: StreamTranslator;
  /** Chunks produced before and with the first content, to send first. */
  held: ChatCompletionChunk[];
  /** The rest of the upstream body. */
  rest: AsyncIterator<Uint8Array>;
  decoder: TextDecoder;
  /** True when the upstream stream already ended. */
  ended: boolean;
  /** Cancels the upstream request (client went away, or relay timeout). */
  cancel: () => void;
  firstTokenAtMs: number;
  startedAtMs: number;
  /** The provider's id for the answer (`upstreamRequestIdOf`). */
  upstreamRequestId: string | undefined;
}

/**
 * A streaming chat attempt that resolves at the first content chunk (or at a complete, empty
 * stream). Holding the stream until then is what lets a stream that fails before its first
 * token fail over transparently.
 */
export function streamAttempt(
  request: ChatCompletionRequest,
  context: (target: ResolvedTarget) => ResponseContext,
  deps: ChatAttemptDeps,
): AttemptFn<StartedStream> {
  return async (target, signal) => {
    const adapter = deps.adapterFor(target.provider.api);
    const own = new AbortController();
    const forward = (): void => own.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    const startedAtMs = deps.now();
    try {
      const upstreamRequest = adapter.buildChatRequest(
        request,
        upstreamTarget(target, deps.credentials),
      );
      const response = await deps.upstream.send(upstreamRequest, own.signal);
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text();
        return {
          ok: false,
          failure: fromUpstreamError(
            adapter.parseError(response.statusCode, response.headers, text),
          ),
        };
      }
      const translator = adapter.createStreamTranslator(context(target));
      const rest = (response.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      const started = await readUntilContent(translator, rest, new TextDecoder());
      if (!started.ok) {
        own.abort();
        return started;
      }
      signal.removeEventListener('abort', forward);
      return {
        ok: true,
        value: {
          ...started.value,
          translator,
          rest,
          cancel: () => own.abort(),
          firstTokenAtMs: deps.now(),
          startedAtMs,
          upstreamRequestId: upstreamRequestIdOf(response.headers),
        },
      };
    } catch (error) {
      own.abort();
      return { ok: false, failure: thrownFailure(error, abortedByTimeout(signal), true) };
    }
  };
}

async function readUntilContent(
  translator: StreamTranslator,
  rest: AsyncIterator<Uint8Array>,
  decoder: TextDecoder,
): Promise<AttemptResult<{ held: ChatCompletionChunk[]; decoder: TextDecoder; ended: boolean }>> {
  const held: ChatCompletionChunk[] = [];
  try {
    while (!translator.sawContent) {
      const next = await rest.next();
      if (next.done === true) {
        held.push(...translator.push(decoder.decode()), ...translator.end());
        return { ok: true, value: { held, decoder, ended: true } };
      }
      held.push(...translator.push(decoder.decode(next.value, { stream: true })));
    }
    return { ok: true, value: { held, decoder, ended: false } };
  } catch (error) {
    if (isUpstreamError(error)) return { ok: false, failure: fromUpstreamError(error) };
    throw error;
  }
}

function isUpstreamError(error: unknown): error is UpstreamError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'kind' in error &&
    'status' in error &&
    !(error instanceof Error && 'code' in error)
  );
}

function badResponse(error: unknown): AttemptFailure {
  if (isUpstreamError(error)) return fromUpstreamError(error);
  return {
    kind: 'bad_response',
    message: `unreadable upstream response: ${(error as Error).message}`,
  };
}
