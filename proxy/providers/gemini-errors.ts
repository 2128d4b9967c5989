import type { ErrorDetails } from './upstream-errors.ts';
import { parseDuration, parseJsonObject, rawMessage } from './upstream-errors.ts';

/**
 * Google's error body: `{error: {code, message, status, details: [...]}}`. The code is the
 * `status` (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`) plus any ErrorInfo `reason`
 * (`API_KEY_INVALID`); a RetryInfo detail's `retryDelay` ("32s") becomes the retry delay.
 */
export function geminiErrorDetails(body: string): ErrorDetails {
  const parsed = parseJsonObject(body);
  const error = parsed?.['error'];
  if (typeof error !== 'object' || error === null) return { message: rawMessage(body), code: '' };
  const e = error as Record<string, unknown>;
  const codes: string[] = typeof e['status'] === 'string' ? [e['status']] : [];
  let retryAfterMs: number | undefined;
  for (const detail of Array.isArray(e['details']) ? (e['details'] as unknown[]) : []) {
    if (typeof detail !== 'object' || detail === null) continue;
    const d = detail as Record<string, unknown>;
    if (typeof d['reason'] === 'string') codes.push(d['reason']);
    if (typeof d['retryDelay'] === 'string') retryAfterMs = parseDuration(d['retryDelay']);
  }
  const details: ErrorDetails = {
    message: typeof e['message'] === 'string' ? e['message'] : rawMessage(body),
    code: codes.join(' '),
  };
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  return details;
}
