import { ProxyError } from '../errors/proxy-error.ts';
import { REQUEST_ID_HEADER } from '../http/request-id.ts';
import type { AnswerJob } from './answer-job.ts';
import { answeredRequest, deliveredWithoutUpstream } from './answered.ts';
import type { AnsweredRequest, AnswerOutcome } from './outcome.ts';

/**
 * Answers a failure in OpenAI's error format, with who is at fault (`x-switchyard-error-origin`)
 * and the request id; an unexpected error becomes a 500 without details (its stack goes to the
 * log line only). A stream that already started reports its own errors; here it is only ended.
 */
export function deliverError(
  job: AnswerJob,
  outcome: Extract<AnswerOutcome, { kind: 'error' }>,
): AnsweredRequest {
  const { res } = job;
  const error =
    outcome.error instanceof ProxyError
      ? outcome.error
      : new ProxyError('INTERNAL', 'internal error in the proxy; see its logs');
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
  } else {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'x-switchyard-error-origin': error.origin,
      [REQUEST_ID_HEADER]: job.requestId,
    };
    if (error.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(error.retryAfterSeconds);
    if (error.closeConnection) headers['connection'] = 'close';
    const payload = JSON.stringify(error.toBody());
    headers['content-length'] = Buffer.byteLength(payload);
    res.writeHead(error.status, headers);
    res.end(payload);
  }
  const latencyMs = job.ctx.now() - job.receivedAtMs;
  return answeredRequest(job, outcome, deliveredWithoutUpstream(error.status, error), {
    latencyMs,
    overheadMs: latencyMs,
  });
}
