import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BudgetPressure } from '../../core/budget/budget.ts';
import { reservationUSD } from '../../core/budget/reservation.ts';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { PlanContext } from '../../core/routing/plan.ts';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';
import { TENANT_HEADER } from '../cache/response-cache.ts';
import { completionAttempt, streamAttempt } from '../execute/chat-attempts.ts';
import {
  decideRoute,
  resolveModel,
  type Resolution,
  type RouteDecision,
} from '../execute/decide-route.ts';
import { DIRECT_FAILOVER } from '../execute/direct-failover.ts';
import { gateQuality } from '../execute/gate-quality.ts';
import { relayStream } from '../execute/relay-stream.ts';
import { routingInputFor } from '../execute/routing-input.ts';
import { runPlan } from '../execute/run-plan.ts';
import type { ResponseContext } from '../providers/adapter.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { settleCompletion } from './accounting.ts';
import { requestIdOf, tenantOf } from './request-id.ts';
import { answerFromCache } from './cached-answer.ts';
import { parseChatRequest } from './parse-request.ts';
import { failedOnRoute, ProxyError } from './proxy-error.ts';
import { abortWhenClientGone } from './client-gone.ts';
import { receiptHeaders } from './receipt.ts';

/** Routing pressure for each budget state. */
const PLAN_BUDGET: Record<BudgetPressure, PlanContext['budget']> = {
  normal: 'normal',
  downgrade: 'downgrade',
  exhausted: 'cheapest-only',
};

/** Everything one chat request carries through its handling. */
interface ChatJob extends RouteDecision {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: ProxyContext;
  request: ChatCompletionRequest;
  resolution: Resolution;
  input: RoutingInput;
  receivedAtMs: number;
  requestId: string;
  tenant: string | undefined;
  signal: AbortSignal;
}

/**
 * Handles POST /v1/chat/completions: parse, check the budget, classify and plan, answer from the
 * cache or reserve the estimated cost, execute, gate, account, settle, answer.
 */
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
  await serveResolved({ req, res, ctx, receivedAtMs }, request, resolution).catch(
    (error: unknown) => {
      throw failedOnRoute(error, resolution.routeName);
    },
  );
}

/** The request as it arrived. */
interface Arrival {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: ProxyContext;
  receivedAtMs: number;
}

async function serveResolved(
  { req, res, ctx, receivedAtMs }: Arrival,
  request: ChatCompletionRequest,
  resolution: Resolution,
): Promise<void> {
  const input = routingInputFor(request, req.headers);
  const route = resolution.route?.config;
  const pressure = route === undefined ? 'normal' : await ctx.budget.pressure(route);
  const decision = await decideRoute(resolution, input, ctx, PLAN_BUDGET[pressure]);
  ctx.metrics.classifications.inc({
    route: resolution.routeName,
    source: decision.classification.source,
    tier: decision.classification.tier,
  });
  const signal = abortWhenClientGone(res);
  const job: ChatJob = {
    ...decision,
    req,
    res,
    ctx,
    request,
    resolution,
    input,
    receivedAtMs,
    requestId: requestIdOf(req),
    tenant: tenantOf(req),
    signal,
  };
  const cacheKey = decision.sensitive
    ? undefined
    : ctx.cache.keyFor(route, request, input.headers[TENANT_HEADER]);
  if (cacheKey !== undefined) {
    const hit = await ctx.cache.lookup(resolution.routeName, cacheKey);
    if (hit !== undefined) return answerFromCache(job, hit);
  }
  const reservation =
    route === undefined
      ? undefined
      : await ctx.budget.reserve(route, reservationUSD(decision.routePlan, input, route.budget));
  let costUSD = 0;
  try {
    costUSD =
      request.stream === true ? await serveStream(job) : await serveCompletion(job, cacheKey);
  } finally {
    if (route !== undefined) await ctx.budget.settle(route, reservation, costUSD);
  }
}

function responseContextFor(job: ChatJob): (target: ResolvedTarget) => ResponseContext {
  return (target) => ({
    responseModel: target.key,
    request: job.request,
    createdSeconds: Math.floor(job.ctx.wallNow() / 1000),
    fallbackId: `chatcmpl-${job.ctx.newId()}`,
  });
}

async function serveStream(job: ChatJob): Promise<number> {
  const { ctx } = job;
  const failover = job.resolution.route?.config.failover ?? DIRECT_FAILOVER;
  // A stream's attempt ends at its first token; the relay then bounds the gaps between chunks.
  const streamFailover = { ...failover, attemptTimeoutMs: failover.ttftTimeoutMs };
  const run = await runPlan(
    job.routePlan.attempts,
    streamFailover,
    job.signal,
    streamAttempt(job.request, responseContextFor(job), ctx),
    ctx,
  );
  return relayStream(job.res, run, { ...job, failover });
}

async function serveCompletion(job: ChatJob, cacheKey: string | undefined): Promise<number> {
  const { ctx, request, resolution } = job;
  const failover = resolution.route?.config.failover ?? DIRECT_FAILOVER;
  const attempt = completionAttempt(request, responseContextFor(job), ctx);
  let run = await runPlan(job.routePlan.attempts, failover, job.signal, attempt, ctx);
  let quality: string | undefined;
  let discardedUSD = 0;
  if (ctx.quality.applies(request)) {
    ({ run, quality, discardedUSD } = await gateQuality(run, {
      request,
      routePlan: job.routePlan,
      failover,
      signal: job.signal,
      attempt,
      ctx,
      routeName: resolution.routeName,
    }));
  }
  const { completion, usage, upstreamMs } = run.value;
  ctx.health.recordSuccess(run.winner.target, upstreamMs, undefined);
  ctx.health.attemptEnded(run.winner.target, usage.inputTokens + usage.outputTokens);
  const base = {
    resolution,
    classification: job.classification,
    routePlan: job.routePlan,
    receivedAtMs: job.receivedAtMs,
    requestId: job.requestId,
    tenant: job.tenant,
    messages: request.messages,
  };
  const accounting = settleCompletion(ctx, {
    ...base,
    winner: run.winner,
    attempts: run.attempts,
    usage,
    stream: false,
    status: 200,
    cache: cacheKey === undefined ? 'off' : 'miss',
    upstreamRequestId: run.value.upstreamRequestId,
  });
  const payload = JSON.stringify(completion);
  const headers = receiptHeaders({
    route: resolution.routeName,
    rule: job.classification.rule,
    tier: run.winner.tier,
    provider: run.winner.target.provider.name,
    model: run.winner.target.model.name,
    attempts: run.attempts,
    costUSD: accounting.costUSD,
    overheadMs: accounting.overheadMs,
    cache: cacheKey === undefined ? 'off' : 'miss',
    requestId: job.requestId,
  });
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(payload));
  if (quality !== undefined) headers['x-switchyard-quality'] = quality;
  job.res.writeHead(200, headers);
  job.res.end(payload);
  accounting.record();
  const ttl = resolution.route?.config.cache?.exact?.ttlSeconds;
  if (cacheKey !== undefined && ttl !== undefined && quality !== 'failed') {
    await ctx.cache.store(
      cacheKey,
      { completion, target: run.winner.target.key, tier: run.winner.tier },
      ttl,
    );
  }
  return accounting.costUSD + discardedUSD;
}
