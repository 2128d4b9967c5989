import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultClassification } from '../../core/routing/classify.ts';
import { plan, type PlannedAttempt } from '../../core/routing/plan.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';
import { runPlan } from '../execute/run-plan.ts';
import { abortedByTimeout } from '../execute/attempt-timeout.ts';
import { thrownFailure, type AttemptFn } from '../execute/attempt.ts';
import { upstreamTarget } from '../execute/chat-attempts.ts';
import { DIRECT_FAILOVER } from '../execute/direct-failover.ts';
import type { EmbeddingsResponse } from '../../core/openai/types.ts';
import type { Usage } from '../../core/cost/usage.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { ProxyError } from './proxy-error.ts';
import { parseEmbeddingsRequest } from './parse-request.ts';
import { recordCompletion } from './accounting.ts';
import { receiptHeaders } from './receipt.ts';

/** Handles POST /v1/embeddings, for an alias (its targets with the embeddings capability) or a provider/model. */
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
  const route = index.routes.get(request.model);
  const direct = index.targets.get(request.model);
  let attempts: PlannedAttempt[];
  if (route !== undefined) {
    const input: RoutingInput = {
      promptTokens: 0,
      maxOutputTokens: undefined,
      requiredCapabilities: ['embeddings'],
      hasTools: false,
      hasImages: false,
      responseFormat: undefined,
      userTextLower: '',
      allText: '',
      headers: {},
      metadata: {},
    };
    const health = (key: string) => ctx.health.health(key);
    const planned = plan(
      route,
      { ...defaultClassification(route), tier: route.tiers[0]?.name ?? '' },
      input,
      {
        health,
        random: ctx.random,
        latencyClass: undefined,
        sensitive: false,
        budget: 'normal',
      },
    );
    attempts = planned.attempts;
  } else if (direct !== undefined) {
    if (!direct.model.capabilities.includes('embeddings')) {
      throw new ProxyError('INVALID_REQUEST', `${direct.key} is not an embeddings model`, {
        param: 'model',
      });
    }
    attempts = [{ target: direct, tier: 'direct', lastResort: false }];
  } else {
    throw new ProxyError('MODEL_NOT_FOUND', `The model \`${request.model}\` does not exist`, {
      param: 'model',
    });
  }
  if (attempts.length === 0)
    throw new ProxyError(
      'NO_ROUTE',
      `policy ${request.model} has no target with the embeddings capability`,
    );
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const attempt: AttemptFn<{ response: EmbeddingsResponse; usage: Usage }> = async (
    target,
    signal,
  ) => {
    const adapter = ctx.adapterFor(target.provider.api);
    try {
      const upstreamRequest = adapter.buildEmbeddingsRequest(
        request,
        upstreamTarget(target, ctx.credentials),
      );
      const response = await ctx.upstream.send(upstreamRequest, signal);
      const text = await response.body.text();
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const error = adapter.parseError(response.statusCode, response.headers, text);
        return {
          ok: false,
          failure: { kind: error.kind, status: error.status, message: error.message },
        };
      }
      return {
        ok: true,
        value: adapter.parseEmbeddingsResponse(text, {
          responseModel: target.key,
          request: { model: request.model, messages: [] },
          createdSeconds: Math.floor(ctx.wallNow() / 1000),
          fallbackId: ctx.newId(),
        }),
      };
    } catch (error) {
      return { ok: false, failure: thrownFailure(error, abortedByTimeout(signal), false) };
    }
  };
  const failover = route?.config.failover ?? DIRECT_FAILOVER;
  const run = await runPlan(attempts, failover, controller.signal, attempt, ctx);
  ctx.health.recordSuccess(run.winner.target, ctx.now() - receivedAtMs, undefined);
  ctx.health.attemptEnded(run.winner.target, run.value.usage.inputTokens);
  const classification = { tier: run.winner.tier, source: 'default' as const, preferTags: [] };
  const accounting = recordCompletion(ctx, {
    resolution: { routeName: route === undefined ? 'direct' : request.model, route },
    classification,
    routePlan: { attempts, exclusions: [], tiers: [] },
    winner: run.winner,
    attempts: run.attempts,
    usage: run.value.usage,
    stream: false,
    status: 200,
    receivedAtMs,
  });
  void req;
  const payload = JSON.stringify(run.value.response);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...receiptHeaders({
      route: route === undefined ? 'direct' : request.model,
      rule: undefined,
      tier: run.winner.tier,
      provider: run.winner.target.provider.name,
      model: run.winner.target.model.name,
      attempts: run.attempts,
      costUSD: accounting.costUSD,
      overheadMs: accounting.overheadMs,
      cache: 'off',
    }),
  });
  res.end(payload);
}
