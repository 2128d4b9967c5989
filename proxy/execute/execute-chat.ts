import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { Plan } from '../../core/routing/plan.ts';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';
import type { ResponseContext } from '../providers/adapter.ts';
import type { ProxyContext } from '../proxy-context.ts';
import {
  completionAttempt,
  streamAttempt,
  type CompletionValue,
  type StartedStream,
} from './chat-attempts.ts';
import { gateQuality, type GateOutcome } from './gate-quality.ts';
import { runPlan, type FailoverSettings, type RunResult } from './run-plan.ts';
import { tracedAttempt } from '../trace/job-trace.ts';
import type { RequestTrace } from '../trace/request-trace.ts';

/** What executing a chat request needs: the request, its plan, its failover settings. */
export interface ChatExecution {
  ctx: ProxyContext;
  request: ChatCompletionRequest;
  routePlan: Plan;
  failover: FailoverSettings;
  routeName: string;
  signal: AbortSignal;
  /** The request's trace, when the proxy traces: each attempt becomes a span. */
  trace?: RequestTrace | undefined;
}

/** A whole completion, gated when the request asked for structured output. */
export interface CompletionResult {
  run: RunResult<CompletionValue>;
  quality: GateOutcome['quality'] | undefined;
  discardedUSD: number;
}

/**
 * Runs the plan for a non-streamed request and, for structured output, the quality gate (which
 * may escalate to a higher tier). Returns the result; writing it is the answer wing's job.
 */
export async function executeCompletion(job: ChatExecution): Promise<CompletionResult> {
  const { ctx, request } = job;
  const attempt = tracedAttempt(
    completionAttempt(request, responseContextFor(ctx, request), ctx),
    job.trace,
    job.routePlan.attempts,
  );
  const run = await runPlan(job.routePlan.attempts, job.failover, job.signal, attempt, ctx);
  if (!ctx.quality.applies(request)) return { run, quality: undefined, discardedUSD: 0 };
  return gateQuality(run, {
    request,
    routePlan: job.routePlan,
    failover: job.failover,
    signal: job.signal,
    attempt,
    ctx,
    routeName: job.routeName,
  });
}

/**
 * Runs the plan for a streamed request until one target produced its first token: until then a
 * failure fails over transparently; the started stream is then the answer wing's to relay.
 */
export function executeStream(job: ChatExecution): Promise<RunResult<StartedStream>> {
  const { ctx, request } = job;
  // A stream's attempt ends at its first token; the relay then bounds the gaps between chunks.
  const streamFailover = { ...job.failover, attemptTimeoutMs: job.failover.ttftTimeoutMs };
  return runPlan(
    job.routePlan.attempts,
    streamFailover,
    job.signal,
    tracedAttempt(
      streamAttempt(request, responseContextFor(ctx, request), ctx),
      job.trace,
      job.routePlan.attempts,
    ),
    ctx,
  );
}

function responseContextFor(
  ctx: ProxyContext,
  request: ChatCompletionRequest,
): (target: ResolvedTarget) => ResponseContext {
  return (target) => ({
    responseModel: target.key,
    request,
    createdSeconds: Math.floor(ctx.wallNow() / 1000),
    fallbackId: `chatcmpl-${ctx.newId()}`,
  });
}
