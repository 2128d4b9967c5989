import type { BudgetPressure } from '../../core/budget/budget.ts';
import { reservationUSD } from '../../core/budget/reservation.ts';
import {
  decide,
  resolveModel,
  sensitivityOf,
  type Refusal,
  type Resolution,
} from '../../core/routing/decide.ts';
import type { Plan, PlanContext } from '../../core/routing/plan.ts';
import type { RouteIndex } from '../../core/routing/route-index.ts';
import { routingInputFor } from '../../core/routing/request-input.ts';
import type { AnswerJob } from '../answer/answer-job.ts';
import { finish } from '../answer/finish.ts';
import type { AnswerOutcome } from '../answer/outcome.ts';
import { TENANT_HEADER } from '../cache/response-cache.ts';
import { ProxyError } from '../errors/proxy-error.ts';
import { DIRECT_FAILOVER } from '../execute/direct-failover.ts';
import { executeCompletion, executeStream, type ChatExecution } from '../execute/execute-chat.ts';
import { abortWhenClientGone } from './client-gone.ts';
import { chooseArm } from '../experiment/choose-arm.ts';
import { healthWithStandings, markForJudging } from '../quality/prepare-judging.ts';
import { echoed } from './client-text.ts';
import { parseChatRequest } from './parse-request.ts';
import { startJobTrace, traceCacheLookup, traceClassification } from '../trace/job-trace.ts';

/** Routing pressure for each budget state. */
const PLAN_BUDGET: Record<BudgetPressure, PlanContext['budget']> = {
  normal: 'normal',
  downgrade: 'downgrade',
  exhausted: 'cheapest-only',
};

/**
 * Handles POST /v1/chat/completions: parse, check the budget, answer from the exact cache when
 * it can (before any classifier is asked: a hit needs no tier), else decide (rules → classifier →
 * default, then plan), reserve the estimated cost, execute, and hand the result to `finish()`.
 * Failures are thrown; the server hands them to `finish()` as error answers.
 */
export async function handleChat(job: AnswerJob, body: Buffer): Promise<void> {
  const { ctx, req } = job;
  const request = parseChatRequest(body);
  job.request = request;
  job.stream = request.stream === true;
  startJobTrace(job, 'chat', request.model);
  const resolution = chooseArm(job, resolve(ctx.config.current, request.model));
  job.resolution = resolution;
  const input = routingInputFor(request, req.headers);
  const route = resolution.route?.config;
  const pressure = route === undefined ? 'normal' : await ctx.budget.pressure(route);
  const sensitive = sensitivityOf(resolution, input);
  job.cacheKey = sensitive
    ? undefined
    : ctx.cache.keyFor(route, request, input.headers[TENANT_HEADER]);
  if (job.cacheKey !== undefined) {
    const lookupAtMs = ctx.now();
    const hit = await ctx.cache.lookup(resolution.routeName, job.cacheKey);
    traceCacheLookup(job, lookupAtMs, hit !== undefined);
    if (hit !== undefined) return finish(job, { kind: 'cached', hit });
  }
  const decideAtMs = ctx.now();
  const decision = await decide(resolution, input, sensitive, {
    health: healthWithStandings(job),
    random: ctx.random,
    budget: PLAN_BUDGET[pressure],
    askClassifier: ctx.askClassifier,
    askEmbeddings: ctx.askEmbeddings,
    index: ctx.config.current,
  });
  job.decision = decision;
  traceClassification(job, decideAtMs);
  if (decision.refusal !== undefined) throw refusalError(decision.refusal);
  markForJudging(job);
  ctx.metrics.classifications.inc({
    route: resolution.routeName,
    source: decision.classification.source,
    tier: decision.classification.tier,
  });
  job.signal = abortWhenClientGone(job.res);
  if (route !== undefined)
    job.reservation = await ctx.budget.reserve(
      route,
      reservationUSD(decision.routePlan, input, route.budget),
    );
  await finish(job, await execute(job, decision.routePlan));
}

function resolve(index: RouteIndex | undefined, model: string): Resolution {
  if (index === undefined)
    throw new ProxyError('NOT_READY', 'the proxy has not loaded a config yet');
  const resolution = resolveModel(index, model);
  if (resolution !== undefined) return resolution;
  throw new ProxyError(
    'MODEL_NOT_FOUND',
    `The model \`${echoed(model)}\` does not exist: use a policy alias or a provider/model id from GET /v1/models`,
    { param: 'model' },
  );
}

async function execute(job: AnswerJob, routePlan: Plan): Promise<AnswerOutcome> {
  const failover = job.resolution?.route?.config.failover ?? DIRECT_FAILOVER;
  const execution: ChatExecution = {
    ctx: job.ctx,
    request: job.request as NonNullable<AnswerJob['request']>,
    routePlan,
    failover,
    routeName: job.resolution?.routeName ?? 'none',
    signal: job.signal as AbortSignal,
    trace: job.trace,
  };
  if (job.stream) return { kind: 'stream', run: await executeStream(execution), failover };
  return { kind: 'completion', ...(await executeCompletion(execution)) };
}

/** The client's answer when no attempt can be made. */
function refusalError(refusal: Refusal): ProxyError {
  switch (refusal.reason) {
    case 'capability':
      return new ProxyError('INVALID_REQUEST', refusal.message, { param: 'model' });
    case 'governance':
      return new ProxyError('GOVERNANCE_NO_TARGET', refusal.message);
    case 'no_target':
      return new ProxyError('NO_ROUTE', refusal.message);
  }
}
