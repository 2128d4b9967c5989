import { costUSD } from '../../core/cost/cost.ts';
import type { Usage } from '../../core/cost/usage.ts';
import type { Classification } from '../../core/routing/classify.ts';
import type { Plan, PlannedAttempt } from '../../core/routing/plan.ts';
import type { IndexedRoute, ResolvedTarget } from '../../core/routing/route-index.ts';
import type { AttemptRecord } from '../execute/attempt.ts';
import type { ProxyContext } from '../proxy-context.ts';

/** What is known about a finished request, for metrics, cost and the log line. */
export interface FinishedRequest {
  resolution: { routeName: string; route: IndexedRoute | undefined };
  classification: Classification;
  routePlan: Plan;
  winner: PlannedAttempt;
  attempts: readonly AttemptRecord[];
  usage: Usage;
  stream: boolean;
  status: number;
  receivedAtMs: number;
  /** The id on the response (`x-request-id`), repeated in the log line. */
  requestId: string;
  /** The provider's id for the answer, when it sent one. */
  upstreamRequestId: string | undefined;
  /** Who the request is for (`tenantOf`). */
  tenant: string | undefined;
  ttftMs?: number;
  cache?: 'hit' | 'miss' | 'off';
  /** The request's messages; logged only when the proxy runs with `logPrompts`. */
  messages?: unknown;
}

/** Cost and overhead of a request, as put in the receipt. */
export interface Accounting {
  costUSD: number;
  overheadMs: number;
  latencyMs: number;
}

/** A finished request's accounting, and the bookkeeping still to do for it. */
export interface SettledRequest extends Accounting {
  /**
   * Counts the request: metrics (tokens, cost, cost avoided, latency, overhead) and its log line.
   * Call it once the answer is written: the bookkeeping then runs while the answer travels
   * instead of before it, off the latency the client sees.
   */
  record(): void;
}

/**
 * Settles a finished request: cost from usage × pricing, latency and proxy overhead now (the
 * receipt needs them), metrics and the structured log line when `record()` is called.
 */
export function settleCompletion(ctx: ProxyContext, done: FinishedRequest): SettledRequest {
  const latencyMs = ctx.now() - done.receivedAtMs;
  const upstreamMs = done.attempts.reduce((sum, a) => sum + a.durationMs, 0);
  const overheadMs = Math.max(
    0,
    (done.stream ? (done.ttftMs ?? latencyMs) : latencyMs) - upstreamMs,
  );
  const cost = costUSD(done.usage, done.winner.target.model.pricing);
  const accounting = { costUSD: cost, overheadMs, latencyMs };
  return { ...accounting, record: () => record(ctx, done, accounting) };
}

function record(ctx: ProxyContext, done: FinishedRequest, accounting: Accounting): void {
  const { target } = done.winner;
  const { latencyMs, overheadMs, costUSD: cost } = accounting;
  const route = done.resolution.routeName;
  const provider = target.provider.name;
  const model = target.model.name;
  const m = ctx.metrics;
  m.requests.inc({
    route,
    tier: done.winner.tier,
    provider,
    model,
    code: String(done.status),
    cache: done.cache ?? 'off',
  });
  m.requestDuration.observe(
    { route, provider, model, stream: String(done.stream) },
    latencyMs / 1000,
  );
  m.overhead.observe({ route }, overheadMs / 1000);
  if (done.ttftMs !== undefined)
    m.timeToFirstToken.observe({ route, provider, model }, done.ttftMs / 1000);
  countTokensAndSavings(ctx, done, cost);
  const u = done.usage;
  // Fields that do not apply are undefined, which JSON.stringify leaves out: one object shape
  // for every line instead of conditional spreads.
  ctx.log({
    time: new Date(ctx.wallNow()).toISOString(),
    level: 'info',
    msg: 'request',
    requestId: done.requestId,
    upstreamRequestId: done.upstreamRequestId,
    tenant: done.tenant,
    route,
    rule: done.classification.rule,
    tier: done.winner.tier,
    provider,
    model,
    stream: done.stream,
    status: done.status,
    promptTokens: u.inputTokens,
    completionTokens: u.outputTokens,
    // The parts priced differently, for reconciling a bill: only when there are any.
    cachedTokens: u.cachedInputTokens > 0 ? u.cachedInputTokens : undefined,
    cacheWriteTokens: u.cacheWriteTokens > 0 ? u.cacheWriteTokens : undefined,
    reasoningTokens: u.reasoningTokens > 0 ? u.reasoningTokens : undefined,
    usageEstimated: u.estimated,
    latencyMs: round3(latencyMs),
    ttftMs: done.ttftMs === undefined ? undefined : round3(done.ttftMs),
    overheadMs: round3(overheadMs),
    attempts: countAttempts(done.attempts),
    retries: countRetries(done.attempts),
    costUSD: cost,
    cache: done.cache ?? 'off',
    prompt: ctx.options.logPrompts ? done.messages : undefined,
  });
}

function countTokensAndSavings(ctx: ProxyContext, done: FinishedRequest, cost: number): void {
  const { target } = done.winner;
  const labels = {
    route: done.resolution.routeName,
    provider: target.provider.name,
    model: target.model.name,
  };
  const u = done.usage;
  const tokens = ctx.metrics.tokens;
  const count = (type: string, n: number): void => {
    if (n > 0)
      tokens.inc({ route: labels.route, provider: labels.provider, model: labels.model, type }, n);
  };
  count('input', u.inputTokens);
  count('output', u.outputTokens);
  count('cached_input', u.cachedInputTokens);
  count('cache_write', u.cacheWriteTokens);
  count('reasoning', u.reasoningTokens);
  ctx.metrics.cost.inc(
    { route: labels.route, tier: done.winner.tier, provider: labels.provider, model: labels.model },
    cost,
  );
  const avoided = baselineCostUSD(done.resolution.route, u) - cost;
  if (avoided > 0) ctx.metrics.costAvoided.inc({ route: labels.route }, avoided);
  const first = done.routePlan.attempts[0];
  if (first !== undefined && first.target.key !== target.key) {
    ctx.metrics.fallbacks.inc({
      route: labels.route,
      reason: done.attempts.find((a) => a.outcome !== 'ok')?.outcome ?? 'unknown',
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
