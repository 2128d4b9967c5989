import type { ErrorDetails } from './upstream-errors.ts';
import { parseJsonObject, rawMessage } from './upstream-errors.ts';

/** `{type: "error", error: {type, message}}`, Anthropic's error body and stream error event. */
export function anthropicErrorDetails(body: string): ErrorDetails {
  const parsed = parseJsonObject(body);
  const error = parsed?.['error'];
  if (typeof error !== 'object' || error === null) return { message: rawMessage(body), code: '' };
  const e = error as Record<string, unknown>;
  return {
    message: typeof e['message'] === 'string' ? e['message'] : rawMessage(body),
    code: typeof e['type'] === 'string' ? e['type'] : '',
  };
}

/** The HTTP status Anthropic uses for an error type, for errors that arrive mid-stream. */
export function anthropicErrorStatus(type: string): number {
  switch (type) {
    case 'invalid_request_error':
      return 400;
    case 'authentication_error':
      return 401;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
      return 429;
    case 'overloaded_error':
      return 529;
    default:
      return 500;
  }
}
