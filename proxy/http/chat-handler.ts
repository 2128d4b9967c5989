import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';
import type { ResponseContext } from '../providers/adapter.ts';
import { completionAttempt, streamAttempt } from '../execute/chat-attempts.ts';
import { decideRoute, resolveModel } from '../execute/decide-route.ts';
import { DIRECT_FAILOVER } from '../execute/direct-failover.ts';
import { gateQuality } from '../execute/gate-quality.ts';
import { relayStream } from '../execute/relay-stream.ts';
import { routingInputFor } from '../execute/routing-input.ts';
import { runPlan } from '../execute/run-plan.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { recordCompletion } from './accounting.ts';
import { parseChatRequest } from './parse-request.ts';
import { ProxyError } from './proxy-error.ts';
import { receiptHeaders } from './receipt.ts';

/** Handles POST /v1/chat/completions: parse, classify, plan, execute, gate, account, answer. */
export async function handleChat(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  ctx: ProxyContext,
  receivedAtMs: number,
): Promise<void> {
  const request = parseChatRequest(body);
  const index = ctx.config.current;
  if (index === undefined)
    throw new ProxyError('NOT_READY', 'the proxy has not loaded a config yet');
  const resolution = resolveModel(index, request.model);
  const input = routingInputFor(request, req.headers);
  const { classification, routePlan } = await decideRoute(resolution, input, ctx);
  ctx.metrics.classifications.inc({
    route: resolution.routeName,
    source: classification.source,
    tier: classification.tier,
  });
  const failover = resolution.route?.config.failover ?? DIRECT_FAILOVER;
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const responseContext = (target: ResolvedTarget): ResponseContext => ({
    responseModel: target.key,
    request,
    createdSeconds: Math.floor(ctx.wallNow() / 1000),
    fallbackId: `chatcmpl-${ctx.newId()}`,
  });
  const base = {
    resolution,
    classification,
    routePlan,
    input,
    receivedAtMs,
    messages: request.messages,
  };
  if (request.stream === true) {
    // A stream's attempt ends at its first token; the relay then bounds the gaps between chunks.
    const streamFailover = { ...failover, attemptTimeoutMs: failover.ttftTimeoutMs };
    const run = await runPlan(
      routePlan.attempts,
      streamFailover,
      controller.signal,
      streamAttempt(request, responseContext, ctx),
      ctx,
    );
    await relayStream(res, run, { ...base, failover, request, ctx, signal: controller.signal });
    return;
  }
  const attempt = completionAttempt(request, responseContext, ctx);
  let run = await runPlan(routePlan.attempts, failover, controller.signal, attempt, ctx);
  let quality: string | undefined;
  if (ctx.quality.applies(request)) {
    ({ run, quality } = await gateQuality(run, {
      request,
      routePlan,
      failover,
      signal: controller.signal,
      attempt,
      ctx,
      routeName: resolution.routeName,
    }));
  }
  const { completion, usage, upstreamMs } = run.value;
  ctx.health.recordSuccess(run.winner.target, upstreamMs, undefined);
  ctx.health.attemptEnded(run.winner.target, usage.inputTokens + usage.outputTokens);
  const accounting = recordCompletion(ctx, {
    ...base,
    winner: run.winner,
    attempts: run.attempts,
    usage,
    stream: false,
    status: 200,
  });
  const payload = JSON.stringify(completion);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...receiptHeaders({
      route: resolution.routeName,
      rule: classification.rule,
      tier: run.winner.tier,
      provider: run.winner.target.provider.name,
      model: run.winner.target.model.name,
      attempts: run.attempts,
      costUSD: accounting.costUSD,
      overheadMs: accounting.overheadMs,
      cache: 'off',
    }),
    ...(quality === undefined ? {} : { 'x-switchyard-quality': quality }),
  });
  res.end(payload);
}
