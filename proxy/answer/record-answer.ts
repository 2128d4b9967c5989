import { costUSD } from '../../core/cost/cost.ts';
import type { Usage } from '../../core/cost/usage.ts';
import type { IndexedRoute, ResolvedTarget } from '../../core/routing/route-index.ts';
import type { AttemptRecord } from '../execute/attempt.ts';
import type { RequestLogLine } from '../log/request-log.ts';
import type { ProxyContext } from '../proxy-context.ts';
import type { AnsweredRequest } from './outcome.ts';

/**
 * Counts an answered request — metrics (requests, latency, overhead, TTFT, tokens, cost, cost
 * avoided, fallbacks) and its one log line — after the answer was written, so the bookkeeping
 * runs while the answer travels instead of before it, off the latency the client sees.
 */
export function recordAnswer(answer: AnsweredRequest): void {
  const { ctx } = answer.job;
  const route = answer.job.resolution?.routeName ?? 'none';
  const m = ctx.metrics;
  m.requests.inc({
    route,
    tier: answer.tier,
    provider: answer.provider,
    model: answer.model,
    code: String(answer.status),
    cache: answer.cache,
  });
  if (answer.error !== undefined)
    m.requestErrors.inc({ route, origin: answer.error.origin, code: String(answer.status) });
  if (answer.error === undefined) {
    const labels = { route, provider: answer.provider, model: answer.model };
    m.requestDuration.observe(
      { route, provider: answer.provider, model: answer.model, stream: String(answer.job.stream) },
      answer.latencyMs / 1000,
    );
    if (answer.winner !== undefined) m.overhead.observe({ route }, answer.overheadMs / 1000);
    if (answer.ttftMs !== undefined) m.timeToFirstToken.observe(labels, answer.ttftMs / 1000);
    if (answer.winner !== undefined && answer.usage !== undefined)
      countTokensAndSavings(ctx, answer, answer.winner.target, answer.usage);
  }
  ctx.log(logLine(answer, route));
}

/**
 * The request's log line (fields documented on RequestLogLine): one shape for every answer —
 * success, stream, cache hit, failure. Fields that do not apply are undefined, which
 * JSON.stringify leaves out.
 */
function logLine(answer: AnsweredRequest, route: string): Record<string, unknown> {
  const { job } = answer;
  const ok = answer.error === undefined;
  const d = decisionFields(answer);
  const f = failureFields(answer);
  const t = tokenFields(answer.usage);
  return {
    time: new Date(job.ctx.wallNow()).toISOString(),
    level: levelOf(answer.status),
    msg: 'request',
    requestId: job.requestId,
    traceId: job.trace?.traceId || undefined,
    upstreamRequestId: answer.upstreamRequestId,
    tenant: job.tenant,
    path: f.path,
    route,
    classifiedBy: d.classifiedBy,
    rule: d.rule,
    classifier: d.classifier,
    classifierMs: d.classifierMs,
    embeddings: d.embeddings,
    difficulty: d.difficulty,
    tier: ok ? answer.tier : undefined,
    provider: ok ? answer.provider : undefined,
    model: ok ? answer.model : undefined,
    stream: job.stream,
    status: answer.status,
    errorCode: f.errorCode,
    origin: f.origin,
    error: f.error,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    cachedTokens: t.cachedTokens,
    cacheWriteTokens: t.cacheWriteTokens,
    reasoningTokens: t.reasoningTokens,
    usageEstimated: t.usageEstimated,
    latencyMs: round3(answer.latencyMs),
    ttftMs: answer.ttftMs === undefined ? undefined : round3(answer.ttftMs),
    overheadMs: round3(answer.overheadMs),
    attempts: countAttempts(answer.attempts),
    retries: countRetries(answer.attempts),
    costUSD: ok ? answer.costUSD : undefined,
    cache: answer.cache,
    experiment: job.experiment?.name,
    arm: job.experiment?.arm,
    prompt: job.ctx.options.logPrompts ? job.request?.messages : undefined,
  };
}

/** How the request was classified, and what the classifier model said when it was asked. */
function decisionFields(answer: AnsweredRequest): Partial<RequestLogLine> {
  const decision = answer.job.decision;
  if (decision === undefined) return {};
  const classifier = decision.classifier;
  return {
    classifiedBy: decision.classification.source,
    rule: decision.classification.rule,
    classifier: classifier?.outcome,
    classifierMs: classifier === undefined ? undefined : round3(classifier.durationMs),
    embeddings: decision.embeddings?.outcome,
    difficulty:
      decision.classification.score === undefined
        ? undefined
        : round3(decision.classification.score),
  } as Partial<RequestLogLine>;
}

/** What went wrong, for failures; a broken stream's message for streams that failed midway. */
function failureFields(answer: AnsweredRequest): Partial<RequestLogLine> {
  const { error, outcome } = answer;
  if (error === undefined) return { error: answer.streamFailure } as Partial<RequestLogLine>;
  const thrown = outcome.kind === 'error' ? outcome.error : undefined;
  return {
    path: answer.job.path,
    errorCode: error.code,
    origin: error.origin,
    // Only an internal error logs its stack: the client got a generic message for it.
    error: error.code === 'INTERNAL' ? stackOf(thrown) : error.message,
  };
}

function stackOf(thrown: unknown): string {
  return thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
}

/** Tokens as priced; the parts priced differently only when there are any. */
function tokenFields(u: Usage | undefined): Partial<RequestLogLine> {
  if (u === undefined) return {};
  return {
    promptTokens: u.inputTokens,
    completionTokens: u.outputTokens,
    cachedTokens: u.cachedInputTokens > 0 ? u.cachedInputTokens : undefined,
    cacheWriteTokens: u.cacheWriteTokens > 0 ? u.cacheWriteTokens : undefined,
    reasoningTokens: u.reasoningTokens > 0 ? u.reasoningTokens : undefined,
    usageEstimated: u.estimated,
  } as Partial<RequestLogLine>;
}

function levelOf(status: number): RequestLogLine['level'] {
  if (status >= 500) return 'error';
  return status >= 400 ? 'warn' : 'info';
}

function countTokensAndSavings(
  ctx: ProxyContext,
  answer: AnsweredRequest,
  target: ResolvedTarget,
  u: Usage,
): void {
  const route = answer.job.resolution?.routeName ?? 'none';
  const provider = target.provider.name;
  const model = target.model.name;
  const tokens = ctx.metrics.tokens;
  const count = (type: string, n: number): void => {
    if (n > 0) tokens.inc({ route, provider, model, type }, n);
  };
  count('input', u.inputTokens);
  count('output', u.outputTokens);
  count('cached_input', u.cachedInputTokens);
  count('cache_write', u.cacheWriteTokens);
  count('reasoning', u.reasoningTokens);
  ctx.metrics.cost.inc({ route, tier: answer.tier, provider, model }, answer.costUSD);
  const avoided = baselineCostUSD(answer.job.resolution?.route, u) - answer.costUSD;
  if (avoided > 0) ctx.metrics.costAvoided.inc({ route }, avoided);
  const first = answer.job.decision?.routePlan.attempts[0];
  if (first !== undefined && first.target.key !== target.key) {
    ctx.metrics.fallbacks.inc({
      route,
      reason: answer.attempts.find((a) => a.outcome !== 'ok')?.outcome ?? 'unknown',
    });
  }
}

/** What the same usage would have cost on the cheapest target of the policy's most capable tier. */
export function baselineCostUSD(route: IndexedRoute | undefined, usage: Usage): number {
  const premium = route?.tiers.at(-1)?.targets ?? [];
  if (premium.length === 0) return 0;
  return Math.min(...premium.map((t: ResolvedTarget) => costUSD(usage, t.model.pricing)));
}

function countAttempts(attempts: readonly AttemptRecord[]): number {
  let n = 0;
  for (const a of attempts) if (a.outcome !== 'circuit_open') n += 1;
  return n;
}

function countRetries(attempts: readonly AttemptRecord[]): number {
  let n = 0;
  for (const a of attempts) if (a.retry) n += 1;
  return n;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
