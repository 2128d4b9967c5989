import { completionAsChunks } from '../cache/response-cache.ts';
import type { AnswerJob } from './answer-job.ts';
import { answeredRequest, deliveredWithoutUpstream } from './answered.ts';
import type { AnsweredRequest, AnswerOutcome } from './outcome.ts';
import { receiptHeaders } from './receipt.ts';

/**
 * Answers from the cache: the stored completion as JSON, or replayed as SSE chunks for a
 * streaming request. Costs nothing, so the receipt says $0 and the log line says `cache: hit`.
 * No provider was asked and no classifier either: the cache is consulted before both.
 */
export function deliverCached(
  job: AnswerJob,
  outcome: Extract<AnswerOutcome, { kind: 'cached' }>,
): AnsweredRequest {
  const { ctx, res } = job;
  const { hit } = outcome;
  const [provider = '', model = ''] = hit.target.split('/');
  const latencyMs = ctx.now() - job.receivedAtMs;
  const headers = receiptHeaders({
    route: job.resolution?.routeName ?? 'none',
    classifiedBy: undefined,
    rule: undefined,
    tier: hit.tier,
    provider,
    model,
    attempts: [],
    costUSD: 0,
    overheadMs: latencyMs,
    cache: 'hit',
    requestId: job.requestId,
  });
  const completion = {
    ...hit.completion,
    id: `chatcmpl-${ctx.newId()}`,
    created: Math.floor(ctx.wallNow() / 1000),
  };
  if (job.stream) {
    const chunks = completionAsChunks(
      completion,
      job.request?.stream_options?.include_usage === true,
    );
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...headers,
    });
    res.end(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`);
  } else {
    const payload = JSON.stringify(completion);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...headers,
    });
    res.end(payload);
  }
  return answeredRequest(job, outcome, deliveredWithoutUpstream(200, undefined), {
    latencyMs,
    overheadMs: latencyMs,
  });
}
