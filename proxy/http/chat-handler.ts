import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  classifyByRules,
  defaultClassification,
  type Classification,
} from '../../core/routing/classify.ts';
import { isSensitive } from '../../core/routing/governance.ts';
import { plan, type Plan } from '../../core/routing/plan.ts';
import type { IndexedRoute, ResolvedTarget, RouteIndex } from '../../core/routing/route-index.ts';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { ResponseContext } from '../providers/adapter.ts';
import { completionAttempt, streamAttempt } from '../execute/chat-attempts.ts';
import { runPlan } from '../execute/run-plan.ts';
import { relayStream } from '../execute/relay-stream.ts';
import { DIRECT_FAILOVER } from '../execute/direct-failover.ts';
import { routingInputFor } from '../execute/routing-input.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { ProxyError } from './proxy-error.ts';
import { receiptHeaders, type Receipt } from './receipt.ts';
import { parseChatRequest } from './parse-request.ts';
import { recordCompletion } from './accounting.ts';

/** The resolved meaning of the request's `model`: a policy alias or a concrete provider/model. */
interface Resolution {
  routeName: string;
  route: IndexedRoute | undefined;
  direct: ResolvedTarget | undefined;
}

function resolveModel(index: RouteIndex, model: string): Resolution {
  const route = index.routes.get(model);
  if (route !== undefined) return { routeName: model, route, direct: undefined };
  const direct = index.targets.get(model);
  if (direct !== undefined) return { routeName: 'direct', route: undefined, direct };
  throw new ProxyError(
    'MODEL_NOT_FOUND',
    `The model \`${model}\` does not exist: use a policy alias or provider/model from GET /v1/models`,
    {
      param: 'model',
    },
  );
}

/** Handles POST /v1/chat/completions: parse, classify, plan, execute, account, answer. */
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
  const { classification, routePlan, sensitive } = decide(resolution, input, request, ctx);
  if (routePlan.attempts.length === 0) throw noTargetError(routePlan, sensitive);
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
  const base = { resolution, classification, routePlan, input, receivedAtMs };
  if (request.stream === true) {
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
  const run = await runPlan(
    routePlan.attempts,
    failover,
    controller.signal,
    completionAttempt(request, responseContext, ctx),
    ctx,
  );
  const { completion, usage, upstreamMs } = run.value;
  ctx.health.recordSuccess(run.winner.target, upstreamMs, undefined);
  const accounting = recordCompletion(ctx, {
    ...base,
    winner: run.winner,
    attempts: run.attempts,
    usage,
    stream: false,
    status: 200,
  });
  const receipt: Receipt = {
    route: resolution.routeName,
    rule: classification.rule,
    tier: run.winner.tier,
    provider: run.winner.target.provider.name,
    model: run.winner.target.model.name,
    attempts: run.attempts,
    costUSD: accounting.costUSD,
    overheadMs: accounting.overheadMs,
    cache: 'off',
  };
  const payload = JSON.stringify(completion);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...receiptHeaders(receipt),
  });
  res.end(payload);
}

function decide(
  resolution: Resolution,
  input: ReturnType<typeof routingInputFor>,
  request: ChatCompletionRequest,
  ctx: ProxyContext,
): { classification: Classification; routePlan: Plan; sensitive: boolean } {
  const planContext = {
    health: (key: string) => ctx.health.health(key),
    random: ctx.random,
    latencyClass: latencyClass(input.headers['x-switchyard-latency']),
    budget: 'normal' as const,
  };
  if (resolution.route === undefined) {
    const target = resolution.direct as ResolvedTarget;
    const classification: Classification = { tier: 'direct', source: 'client', preferTags: [] };
    const missing = input.requiredCapabilities.filter(
      (c) => !target.model.capabilities.includes(c),
    );
    if (missing.length > 0) {
      throw new ProxyError(
        'INVALID_REQUEST',
        `${target.key} does not support ${missing.join(', ')}`,
        { param: 'model' },
      );
    }
    return {
      classification,
      routePlan: {
        attempts: [{ target, tier: 'direct', lastResort: false }],
        exclusions: [],
        tiers: ['direct'],
      },
      sensitive: false,
    };
  }
  const route = resolution.route;
  const sensitive = isSensitive(
    route.config.governance,
    route.sensitivePatterns,
    input.headers,
    input.allText,
  );
  const classification = classifyByRules(route, input) ?? defaultClassification(route);
  void request;
  return {
    classification,
    routePlan: plan(route, classification, input, { ...planContext, sensitive }),
    sensitive,
  };
}

function latencyClass(value: string | undefined): 'interactive' | 'batch' | undefined {
  return value === 'interactive' || value === 'batch' ? value : undefined;
}

function noTargetError(routePlan: Plan, sensitive: boolean): ProxyError {
  const reasons = routePlan.exclusions.map((e) => `${e.key} (${e.tier}): ${e.detail}`).join('; ');
  if (sensitive && routePlan.exclusions.some((e) => e.reason === 'governance')) {
    return new ProxyError(
      'GOVERNANCE_NO_TARGET',
      `sensitive request: no target inside the governance pool can serve it (${reasons})`,
    );
  }
  return new ProxyError(
    'NO_ROUTE',
    `no target can serve this request${reasons === '' ? '' : `: ${reasons}`}`,
  );
}
