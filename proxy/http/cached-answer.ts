import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { Classification } from '../../core/routing/classify.ts';
import { completionAsChunks, type CachedAnswer } from '../cache/response-cache.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { receiptHeaders } from './receipt.ts';

/** What answering from the cache needs to know about the request. */
export interface CacheHitJob {
  res: ServerResponse;
  req: IncomingMessage;
  ctx: ProxyContext;
  request: ChatCompletionRequest;
  resolution: { routeName: string };
  classification: Classification;
  receivedAtMs: number;
  requestId: string;
  tenant: string | undefined;
}

/**
 * Answers from the exact cache: the stored completion as JSON, or replayed as SSE chunks for a
 * streaming request. Costs nothing, so the receipt says $0 and the log line says `cache: hit`.
 */
export function answerFromCache(job: CacheHitJob, hit: CachedAnswer): void {
  const { ctx, res } = job;
  const [provider = '', model = ''] = hit.target.split('/');
  const latencyMs = ctx.now() - job.receivedAtMs;
  const headers = receiptHeaders({
    route: job.resolution.routeName,
    rule: job.classification.rule,
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
  if (job.request.stream === true) {
    const chunks = completionAsChunks(
      completion,
      job.request.stream_options?.include_usage === true,
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
  const route = job.resolution.routeName;
  ctx.metrics.requests.inc({ route, tier: hit.tier, provider, model, code: '200', cache: 'hit' });
  ctx.metrics.requestDuration.observe(
    { route, provider, model, stream: String(job.request.stream === true) },
    latencyMs / 1000,
  );
  ctx.log({
    time: new Date(ctx.wallNow()).toISOString(),
    level: 'info',
    msg: 'request',
    requestId: job.requestId,
    tenant: job.tenant,
    route,
    tier: hit.tier,
    provider,
    model,
    stream: job.request.stream === true,
    status: 200,
    latencyMs,
    overheadMs: latencyMs,
    attempts: 0,
    retries: 0,
    costUSD: 0,
    cache: 'hit',
  });
}
