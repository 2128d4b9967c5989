/**
 * Who is at fault for an error. Kept apart so our own 429 (a budget or rate policy) is never
 * mistaken for a provider's, and dashboards can split caller mistakes from outages.
 */
export type ErrorOrigin = 'caller' | 'policy' | 'provider' | 'gateway';

/** Stable error codes of the proxy; clients and alerts may rely on them. */
export type ProxyErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_JSON'
  | 'BODY_TOO_LARGE'
  | 'MODEL_NOT_FOUND'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'NO_ROUTE'
  | 'GOVERNANCE_NO_TARGET'
  | 'BUDGET_EXHAUSTED'
  | 'BUDGET_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'UPSTREAM_INVALID_REQUEST'
  | 'CONTEXT_LENGTH_EXCEEDED'
  | 'UPSTREAM_TIMEOUT'
  | 'ALL_TARGETS_FAILED'
  | 'NOT_READY'
  | 'OVERLOADED'
  | 'REQUEST_TIMEOUT'
  | 'CLIENT_CLOSED_REQUEST'
  | 'INTERNAL';

interface CodeInfo {
  status: number;
  origin: ErrorOrigin;
  /** OpenAI's `error.type`. */
  type: string;
}

const CODES: Record<ProxyErrorCode, CodeInfo> = {
  INVALID_REQUEST: { status: 400, origin: 'caller', type: 'invalid_request_error' },
  INVALID_JSON: { status: 400, origin: 'caller', type: 'invalid_request_error' },
  BODY_TOO_LARGE: { status: 413, origin: 'caller', type: 'invalid_request_error' },
  MODEL_NOT_FOUND: { status: 404, origin: 'caller', type: 'invalid_request_error' },
  NOT_FOUND: { status: 404, origin: 'caller', type: 'invalid_request_error' },
  METHOD_NOT_ALLOWED: { status: 405, origin: 'caller', type: 'invalid_request_error' },
  UNAUTHORIZED: { status: 401, origin: 'caller', type: 'authentication_error' },
  NO_ROUTE: { status: 422, origin: 'policy', type: 'invalid_request_error' },
  GOVERNANCE_NO_TARGET: { status: 422, origin: 'policy', type: 'invalid_request_error' },
  BUDGET_EXHAUSTED: { status: 429, origin: 'policy', type: 'insufficient_quota' },
  // The budget store is unreachable and the policy will not spend blind (failClosed, localCap).
  BUDGET_UNAVAILABLE: { status: 503, origin: 'gateway', type: 'api_error' },
  RATE_LIMITED: { status: 429, origin: 'policy', type: 'rate_limit_error' },
  UPSTREAM_INVALID_REQUEST: { status: 400, origin: 'caller', type: 'invalid_request_error' },
  CONTEXT_LENGTH_EXCEEDED: { status: 400, origin: 'caller', type: 'invalid_request_error' },
  UPSTREAM_TIMEOUT: { status: 504, origin: 'provider', type: 'api_error' },
  ALL_TARGETS_FAILED: { status: 502, origin: 'provider', type: 'api_error' },
  NOT_READY: { status: 503, origin: 'gateway', type: 'api_error' },
  // The proxy's own protection (body memory budget): a retry after Retry-After succeeds.
  OVERLOADED: { status: 503, origin: 'gateway', type: 'api_error' },
  // The client sent its body too slowly; OpenAI SDKs retry 408 on their own.
  REQUEST_TIMEOUT: { status: 408, origin: 'caller', type: 'invalid_request_error' },
  // nginx's 499: the client left before its answer. Nobody reads the body; the status keeps it
  // out of provider and gateway error rates.
  CLIENT_CLOSED_REQUEST: { status: 499, origin: 'caller', type: 'invalid_request_error' },
  INTERNAL: { status: 500, origin: 'gateway', type: 'api_error' },
};

/** One failed attempt, as reported back to the client in an ALL_TARGETS_FAILED error. */
export interface AttemptSummary {
  target: string;
  tier: string;
  outcome: string;
  status?: number;
  durationMs: number;
}

/** An error the proxy answers with, in OpenAI's error format. */
export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  readonly param: string | null;
  readonly attempts: AttemptSummary[];
  readonly retryAfterSeconds: number | undefined;
  /** Answer with `Connection: close`: the rest of the request could not be read. */
  closeConnection = false;

  constructor(
    code: ProxyErrorCode,
    message: string,
    details: { param?: string; attempts?: AttemptSummary[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ProxyError';
    this.code = code;
    this.param = details.param ?? null;
    this.attempts = details.attempts ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  get status(): number {
    return CODES[this.code].status;
  }

  get origin(): ErrorOrigin {
    return CODES[this.code].origin;
  }

  /** The body OpenAI SDKs parse into typed exceptions. */
  toBody(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = {
      message: this.message,
      type: CODES[this.code].type,
      param: this.param,
      code: this.code.toLowerCase(),
      switchyard_origin: this.origin,
    };
    if (this.attempts.length > 0) error['switchyard_attempts'] = this.attempts;
    return { error };
  }
}
