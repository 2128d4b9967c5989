import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { Resolution, RouteDecision } from '../../core/routing/decide.ts';
import type { Reservation } from '../budget/budget-guard.ts';
import type { ProxyContext } from '../proxy-context.ts';
import type { ExperimentArm } from '../experiment/choose-arm.ts';
import type { JudgeCapture } from '../quality/prepare-judging.ts';
import type { RequestTrace } from '../trace/request-trace.ts';
import { requestIdOf, tenantOf } from '../http/request-id.ts';

/**
 * One request on its way to an answer. The server creates it on arrival; the handlers fill in
 * what they learn (the parsed request, the route, the decision, the cache key, the budget
 * reservation); `finish()` reads it to write, settle and record the answer — whatever the
 * request got to before it ended, an error included.
 */
export interface AnswerJob {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: ProxyContext;
  /** Monotonic time the request arrived (`ctx.now()`). */
  readonly receivedAtMs: number;
  /** The response's `x-request-id`. */
  readonly requestId: string;
  /** The path without its query. */
  readonly path: string;
  /** What the endpoint serves; `other` for the model list, probes and unknown paths. */
  endpoint: 'chat' | 'embeddings' | 'other';
  /** Who the request is for (`tenantOf`); read once the client is authenticated. */
  tenant: string | undefined;
  /** The parsed chat request, once valid. */
  request: ChatCompletionRequest | undefined;
  stream: boolean;
  /** What `model` resolved to. */
  resolution: Resolution | undefined;
  decision: RouteDecision | undefined;
  /** The exact-cache key, when the route caches this request. */
  cacheKey: string | undefined;
  /** Budget set aside before the call, settled by `finish()`. */
  reservation: Reservation | undefined;
  /** Aborts when the client leaves before the end of its answer. */
  signal: AbortSignal | undefined;
  /** The experiment arm the request is on, when its policy runs an experiment. */
  experiment: ExperimentArm | undefined;
  /** Set when the answer may be judged (../quality/prepare-judging.ts); streams collect text in it. */
  judging: JudgeCapture | undefined;
  /** A probation request: targets demoted for low quality were not skipped for it. */
  probation: boolean;
  /** The request's trace, when the proxy traces (proxy/trace/job-trace.ts). */
  trace: RequestTrace | undefined;
}

/** A new job for a request that just arrived (its id already assigned). */
export function newAnswerJob(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ProxyContext,
  receivedAtMs: number,
): AnswerJob {
  return {
    req,
    res,
    ctx,
    receivedAtMs,
    requestId: requestIdOf(req),
    path: (req.url ?? '/').split('?', 1)[0] ?? '/',
    endpoint: 'other',
    tenant: undefined,
    request: undefined,
    stream: false,
    resolution: undefined,
    decision: undefined,
    cacheKey: undefined,
    reservation: undefined,
    signal: undefined,
    experiment: undefined,
    judging: undefined,
    probation: false,
    trace: undefined,
  };
}

/** Notes who the request is for, once authentication has settled it. */
export function noteTenant(job: AnswerJob): void {
  job.tenant = tenantOf(job.req);
}
