import { costUSD } from '../../core/cost/cost.ts';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { Plan } from '../../core/routing/plan.ts';
import type { ProxyContext } from '../proxy-context.ts';
import type { AttemptFn } from './attempt.ts';
import type { CompletionValue } from './chat-attempts.ts';
import { runPlan, type FailoverSettings, type RunResult } from './run-plan.ts';

/** A finished non-streaming run. */
export type CompletionRun = RunResult<CompletionValue>;

/** The answer to send, the gate's verdict, and what discarded answers cost. */
export interface GateOutcome {
  run: CompletionRun;
  quality: 'passed' | 'escalated' | 'failed';
  discardedUSD: number;
}

/** What the gate needs to re-run a request on the next tier. */
export interface GateJob {
  request: ChatCompletionRequest;
  routePlan: Plan;
  failover: FailoverSettings;
  signal: AbortSignal;
  attempt: AttemptFn<CompletionValue>;
  ctx: ProxyContext;
  routeName: string;
}

/**
 * The quality gate: an answer that breaks the requested JSON (or its schema) is retried once on
 * the tiers above the one that answered. The discarded answer was paid for, so its cost counts.
 * When no better answer comes, the last one is returned and marked `x-switchyard-quality: failed`.
 */
export async function gateQuality(first: CompletionRun, job: GateJob): Promise<GateOutcome> {
  const { ctx, routeName } = job;
  if (ctx.quality.check(job.request, first.value.completion).ok) {
    ctx.metrics.qualityGate.inc({ route: routeName, outcome: 'passed' });
    return { run: first, quality: 'passed', discardedUSD: 0 };
  }
  const tierIndex = job.routePlan.tiers.indexOf(first.winner.tier);
  const higher = job.routePlan.attempts.filter(
    (a) => job.routePlan.tiers.indexOf(a.tier) > tierIndex && !a.lastResort,
  );
  if (higher.length === 0) {
    ctx.metrics.qualityGate.inc({ route: routeName, outcome: 'failed' });
    return { run: first, quality: 'failed', discardedUSD: 0 };
  }
  const discardedUSD = countDiscarded(ctx, routeName, first);
  const second = await runPlan(higher, job.failover, job.signal, job.attempt, ctx);
  const ok = ctx.quality.check(job.request, second.value.completion).ok;
  ctx.metrics.qualityGate.inc({ route: routeName, outcome: ok ? 'escalated' : 'failed' });
  return {
    run: { ...second, attempts: [...first.attempts, ...second.attempts] },
    quality: ok ? 'escalated' : 'failed',
    discardedUSD,
  };
}

/** Books an answer that was paid for but not sent; returns its cost. */
function countDiscarded(ctx: ProxyContext, route: string, run: CompletionRun): number {
  const { target } = run.winner;
  const usage = run.value.usage;
  const cost = costUSD(usage, target.model.pricing);
  ctx.health.recordSuccess(target, run.value.upstreamMs, undefined);
  ctx.health.attemptEnded(target, usage.inputTokens + usage.outputTokens);
  ctx.metrics.cost.inc(
    { route, tier: run.winner.tier, provider: target.provider.name, model: target.model.name },
    cost,
  );
  return cost;
}
