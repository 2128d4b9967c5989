import type { UpstreamError, UpstreamErrorKind } from './adapter.ts';

/** Why an adapter cannot translate a request for its provider. */
export type AdapterErrorCode =
  | 'unsupported' // the provider's API has no equivalent (embeddings on Anthropic, audio input…)
  | 'invalid_request'; // the request cannot be expressed (tool arguments that are not JSON…)

/**
 * Thrown by `build*Request` when a request cannot go to this provider. `unsupported` means
 * another target may serve it; `invalid_request` is the caller's fault.
 */
export class AdapterError extends Error {
  readonly code: AdapterErrorCode;
  constructor(code: AdapterErrorCode, message: string) {
    super(message);
    this.name = 'AdapterError';
    this.code = code;
  }
}

/**
 * An {@link UpstreamError} as a throwable: stream translators throw it for an upstream error
 * event or a malformed stream, and `parse*Response` for a body they cannot read.
 */
export class UpstreamFailure extends Error implements UpstreamError {
  readonly kind: UpstreamErrorKind;
  readonly status: number;
  readonly retryAfterMs?: number;
  constructor(error: UpstreamError) {
    super(error.message);
    this.name = 'UpstreamFailure';
    this.kind = error.kind;
    this.status = error.status;
    if (error.retryAfterMs !== undefined) this.retryAfterMs = error.retryAfterMs;
  }
}

/** A `bad_response` failure: the upstream answered 2xx with something we cannot read. */
export function badResponse(message: string, status = 200): UpstreamFailure {
  return new UpstreamFailure({ kind: 'bad_response', status, message });
}
