import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Usage } from '../../core/cost/usage.ts';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../core/openai/types.ts';
import type { Plan } from '../../core/routing/plan.ts';
import { abortedByTimeout } from '../execute/attempt-timeout.ts';
import { thrownFailure, type AttemptFn } from '../execute/attempt.ts';
import { upstreamTarget } from '../execute/chat-attempts.ts';
import { resolveModel } from '../execute/decide-route.ts';
import { DIRECT_FAILOVER } from '../execute/direct-failover.ts';
import { refuseSensitiveDirect } from '../execute/direct-governance.ts';
import { runPlan } from '../execute/run-plan.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { upstreamRequestIdOf } from '../upstream/upstream-client.ts';
import { settleCompletion } from './accounting.ts';
import { parseEmbeddingsRequest } from './parse-request.ts';
import { echoed } from './client-text.ts';
import { failedOnRoute, ProxyError } from './proxy-error.ts';
import { abortWhenClientGone } from './client-gone.ts';
import { receiptHeaders } from './receipt.ts';
import { requestIdOf, tenantOf } from './request-id.ts';

type EmbeddingsResult = {
  response: EmbeddingsResponse;
  usage: Usage;
  upstreamRequestId: string | undefined;
};

/**
 * Handles POST /v1/embeddings for a concrete provider/model with the `embeddings` capability.
 * Policy aliases route chat completions (compile() keeps embeddings-only models out of tiers), so
 * an alias here is a clear 400 that names what to send instead.
 */
export async function handleEmbeddings(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  ctx: ProxyContext,
  receivedAtMs: number,
): Promise<void> {
  const request = parseEmbeddingsRequest(body);
  const index = ctx.config.current;
  if (index === undefined)
    throw new ProxyError('NOT_READY', 'the proxy has not loaded a config yet');
  const resolution = resolveModel(index, request.model);
  if (resolution.direct === undefined) {
    const models = [...index.targets.values()]
      .filter((t) => t.model.capabilities.includes('embeddings'))
      .map((t) => t.key);
    throw new ProxyError(
      'INVALID_REQUEST',
      `\`${echoed(request.model)}\` is a chat policy alias; send an embeddings model id instead: ${models.join(', ') || '(none configured)'}`,
      { param: 'model' },
    );
  }
  const target = resolution.direct;
  refuseSensitiveDirect(target, req.headers, ctx);
  if (!target.model.capabilities.includes('embeddings')) {
    throw new ProxyError('INVALID_REQUEST', `${target.key} is not an embeddings model`, {
      param: 'model',
    });
  }
  const routePlan: Plan = {
    attempts: [{ target, tier: 'direct', lastResort: false }],
    exclusions: [],
    tiers: ['direct'],
  };
  const signal = abortWhenClientGone(res);
  const run = await runPlan(
    routePlan.attempts,
    DIRECT_FAILOVER,
    signal,
    embeddingsAttempt(request, ctx),
    ctx,
  ).catch((error: unknown) => {
    throw failedOnRoute(error, resolution.routeName);
  });
  ctx.health.recordSuccess(run.winner.target, ctx.now() - receivedAtMs, undefined);
  ctx.health.attemptEnded(run.winner.target, run.value.usage.inputTokens);
  const accounting = settleCompletion(ctx, {
    resolution,
    classification: { tier: 'direct', source: 'client', preferTags: [] },
    routePlan,
    winner: run.winner,
    attempts: run.attempts,
    usage: run.value.usage,
    stream: false,
    status: 200,
    receivedAtMs,
    requestId: requestIdOf(req),
    upstreamRequestId: run.value.upstreamRequestId,
    tenant: tenantOf(req),
  });
  const payload = JSON.stringify(run.value.response);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...receiptHeaders({
      route: resolution.routeName,
      rule: undefined,
      tier: 'direct',
      provider: target.provider.name,
      model: target.model.name,
      attempts: run.attempts,
      costUSD: accounting.costUSD,
      overheadMs: accounting.overheadMs,
      cache: 'off',
      requestId: requestIdOf(req),
    }),
  });
  res.end(payload);
  accounting.record();
}

function embeddingsAttempt(
  request: EmbeddingsRequest,
  ctx: ProxyContext,
): AttemptFn<EmbeddingsResult> {
  return async (target, signal) => {
    const adapter = ctx.adapterFor(target.provider.api);
    try {
      const response = await ctx.upstream.sendAndRead(
        adapter.buildEmbeddingsRequest(request, upstreamTarget(target, ctx.credentials)),
        signal,
      );
      const { text } = response;
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const error = adapter.parseError(response.statusCode, response.headers, text);
        return {
          ok: false,
          failure: { kind: error.kind, status: error.status, message: error.message },
        };
      }
      const context = {
        responseModel: target.key,
        request: { model: request.model, messages: [] },
        createdSeconds: Math.floor(ctx.wallNow() / 1000),
        fallbackId: ctx.newId(),
      };
      return {
        ok: true,
        value: {
          ...adapter.parseEmbeddingsResponse(text, context),
          upstreamRequestId: upstreamRequestIdOf(response.headers),
        },
      };
    } catch (error) {
      return { ok: false, failure: thrownFailure(error, abortedByTimeout(signal), false) };
    }
  };
}
