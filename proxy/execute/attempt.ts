import type { UpstreamErrorKind } from '../providers/adapter.ts';
import { AdapterError, UpstreamFailure } from '../providers/adapter-error.ts';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';

/** Why an attempt failed: the adapter's classification or a transport problem. */
export type FailureKind =
  | UpstreamErrorKind
  | 'timeout'
  | 'ttft_timeout'
  | 'connect_error'
  | 'stream_error'
  | 'aborted'
  | 'unsupported';

/** A failed attempt, as the retry/failover loop sees it. */
export interface AttemptFailure {
  kind: FailureKind;
  status?: number;
  message: string;
  retryAfterMs?: number;
}

/** The result of one attempt. */
export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

/** One attempt as reported in receipts, logs and errors. */
export interface AttemptRecord {
  target: string;
  tier: string;
  outcome: 'ok' | FailureKind | 'circuit_open';
  status?: number;
  durationMs: number;
  retry: boolean;
  hedge: boolean;
}

/** Runs one attempt against a target; must settle when `signal` aborts. */
export type AttemptFn<T> = (
  target: ResolvedTarget,
  signal: AbortSignal,
) => Promise<AttemptResult<T>>;

/** Failures that are the caller's fault: answering them elsewhere would fail the same way. */
export function isCallerFault(kind: FailureKind): boolean {
  return kind === 'invalid_request' || kind === 'content_filter';
}

/** Failures that count against the target's circuit breaker. */
export function countsAgainstTarget(kind: FailureKind): boolean {
  return (
    !isCallerFault(kind) &&
    kind !== 'aborted' &&
    kind !== 'context_length_exceeded' &&
    kind !== 'unsupported'
  );
}

/**
 * Maps an error thrown while building or reading an attempt: the adapter's own verdicts first
 * (a request this provider cannot express fails over; one nobody can express is the caller's),
 * then transport errors.
 */
export function thrownFailure(
  error: unknown,
  timedOut: boolean,
  firstToken: boolean,
): AttemptFailure {
  if (error instanceof AdapterError) {
    return error.code === 'unsupported'
      ? { kind: 'unsupported', message: error.message }
      : { kind: 'invalid_request', status: 400, message: error.message };
  }
  if (error instanceof UpstreamFailure) {
    return {
      kind: error.kind,
      status: error.status,
      message: error.message,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    };
  }
  return transportFailure(error, timedOut, firstToken);
}

/** Maps a network error from undici to a failure. */
export function transportFailure(
  error: unknown,
  timedOut: boolean,
  firstToken: boolean,
): AttemptFailure {
  if (timedOut) {
    return firstToken
      ? { kind: 'ttft_timeout', message: 'no first token before the time-to-first-token timeout' }
      : { kind: 'timeout', message: 'attempt timed out' };
  }
  const code = (error as { code?: string } | null)?.code ?? '';
  if (
    code === 'ECONNREFUSED' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH'
  ) {
    return { kind: 'connect_error', message: `connection failed (${code})` };
  }
  if ((error as Error | null)?.name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return { kind: 'aborted', message: 'cancelled' };
  }
  return {
    kind: 'stream_error',
    message: `upstream connection error${code === '' ? '' : ` (${code})`}`,
  };
}
