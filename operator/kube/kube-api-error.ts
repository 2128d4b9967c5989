/**
 * A non-2xx answer of the API server. The message carries the verb, the path, the HTTP status
 * and the Status reason; the server's own message is kept only when the caller allows it, since
 * a rejected write of a Secret could echo what was sent.
 */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  /** Stable code for callers and logs. */
  readonly code = 'KUBE_API_ERROR';
  /** HTTP status (409 conflict, 404 not found, 403 forbidden, …). */
  readonly status: number;
  /** metav1.Status reason (`Conflict`, `AlreadyExists`, `NotFound`, `Forbidden`, …) when given. */
  readonly reason: string | undefined;

  constructor(message: string, status: number, reason: string | undefined) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** Whether an error is the API server's answer with one of `statuses`. */
export function isApiStatus(error: unknown, ...statuses: number[]): error is KubeApiError {
  return error instanceof KubeApiError && statuses.includes(error.status);
}
