import { costUSD } from '../../core/cost/cost.ts';
import type { RouteConfig } from '../../core/config/router-config.ts';
import type { ChatMessage } from '../../core/openai/types.ts';
import { judgeRequest } from '../../core/quality/judge-prompt.ts';
import { parseJudgeAnswer, type JudgeVerdict } from '../../core/quality/judge-verdict.ts';
import { satisfiesPool } from '../../core/routing/governance.ts';
import { upstreamTarget } from '../execute/chat-attempts.ts';
import type { ProxyContext } from '../proxy-context.ts';

/** How a judge call went; each is counted in `switchyard_judge_calls_total`. */
export type JudgeOutcome =
  | 'scored'
  | 'timeout'
  | 'error'
  | 'unusable'
  | 'dropped'
  | 'skipped_circuit_open'
  | 'skipped_outside_pool'
  | 'skipped_unavailable';

/** What the judge said and what asking cost. */
export interface JudgeResult {
  outcome: JudgeOutcome;
  verdict: JudgeVerdict | undefined;
  /** What the judge call cost (0 when it was not made or failed before usage). */
  costUSD: number;
}

/** What is judged: one answer to one conversation. */
export interface JudgeInput {
  route: RouteConfig;
  messages: readonly ChatMessage[];
  answer: string;
  sensitive: boolean;
}

/**
 * Asks a policy's judge to grade one answer. Never throws: a judge that is down, slow or talks
 * nonsense ends in an outcome that is counted and a result without a verdict — a score is never
 * guessed. A sensitive request reaches the judge only inside the governance pool (checked again
 * here, since the config may have changed since the request was captured).
 */
export async function askJudge(ctx: ProxyContext, input: JudgeInput): Promise<JudgeResult> {
  const quality = input.route.quality;
  if (quality === undefined) return none('skipped_unavailable');
  const key = `${quality.judge.provider}/${quality.judge.model}`;
  const target = ctx.config.current?.targets.get(key);
  if (target === undefined) return none('skipped_unavailable');
  const pool = input.route.governance?.pool;
  if (input.sensitive && pool !== undefined && !satisfiesPool(target.provider.dataPolicy, pool))
    return none('skipped_outside_pool');
  if (ctx.health.health(key).circuit === 'open') return none('skipped_circuit_open');
  const request = judgeRequest(quality, input.messages, input.answer, key);
  const adapter = ctx.adapterFor(target.provider.api);
  const signal = AbortSignal.timeout(quality.timeoutMs);
  try {
    const response = await ctx.upstream.sendAndRead(
      adapter.buildChatRequest(request, upstreamTarget(target, ctx.credentials)),
      signal,
    );
    if (response.statusCode !== 200) return none('error');
    const parsed = adapter.parseChatResponse(response.text, {
      responseModel: key,
      request,
      createdSeconds: 0,
      fallbackId: 'judge',
    });
    const cost = costUSD(parsed.usage, target.model.pricing);
    const content = parsed.completion.choices[0]?.message.content;
    const verdict = typeof content === 'string' ? parseJudgeAnswer(content) : undefined;
    return { outcome: verdict === undefined ? 'unusable' : 'scored', verdict, costUSD: cost };
  } catch {
    return none(signal.aborted ? 'timeout' : 'error');
  }
}

function none(outcome: JudgeOutcome): JudgeResult {
  return { outcome, verdict: undefined, costUSD: 0 };
}
