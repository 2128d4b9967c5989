import type { EmbeddingsRequest } from '../../core/openai/types.ts';
import { resolveModel } from '../../core/routing/decide.ts';
import type { Plan } from '../../core/routing/plan.ts';
import type { AnswerJob } from '../answer/answer-job.ts';
import { finish } from '../answer/finish.ts';
import type { EmbeddingsValue } from '../answer/outcome.ts';
import { ProxyError } from '../errors/proxy-error.ts';
import { abortedByTimeout } from '../execute/attempt-timeout.ts';
import { thrownFailure, type AttemptFn } from '../execute/attempt.ts';
import { upstreamTarget } from '../execute/chat-attempts.ts';
import { DIRECT_FAILOVER } from '../execute/direct-failover.ts';
import { refuseSensitiveDirect } from '../execute/direct-governance.ts';
import { runPlan } from '../execute/run-plan.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { upstreamRequestIdOf } from '../upstream/upstream-client.ts';
import { echoed } from './client-text.ts';
import { abortWhenClientGone } from './client-gone.ts';
import { parseEmbeddingsRequest } from './parse-request.ts';
import { startJobTrace, tracedAttempt } from '../trace/job-trace.ts';

/**
 * Handles POST /v1/embeddings for a concrete provider/model with the `embeddings` capability.
 * Policy aliases route chat completions (compile() keeps embeddings-only models out of tiers), so
 * an alias here is a clear 400 that names what to send instead.
 */
export async function handleEmbeddings(job: AnswerJob, body: Buffer): Promise<void> {
  const { ctx } = job;
  const request = parseEmbeddingsRequest(body);
  startJobTrace(job, 'embeddings', request.model);
  const index = ctx.config.current;
  if (index === undefined)
    throw new ProxyError('NOT_READY', 'the proxy has not loaded a config yet');
  const resolution = resolveModel(index, request.model);
  if (resolution === undefined) {
    throw new ProxyError(
      'MODEL_NOT_FOUND',
      `The model \`${echoed(request.model)}\` does not exist: send an embeddings model id from GET /v1/models`,
      { param: 'model' },
    );
  }
  job.resolution = resolution;
  if (resolution.direct === undefined) {
    const models = [...index.targets.values()]
      .filter((t) => t.model.capabilities.includes('embeddings'))
      .map((t) => t.key);
    throw new ProxyError(
      'INVALID_REQUEST',
      `\`${echoed(request.model)}\` is a chat policy alias; send an embeddings model id instead: ${models.join(', ') || '(none configured)'}`,
      { param: 'model' },
    );
  }
  const target = resolution.direct;
  refuseSensitiveDirect(target, job.req.headers, ctx);
  if (!target.model.capabilities.includes('embeddings')) {
    throw new ProxyError('INVALID_REQUEST', `${target.key} is not an embeddings model`, {
      param: 'model',
    });
  }
  const routePlan: Plan = {
    attempts: [{ target, tier: 'direct', lastResort: false }],
    exclusions: [],
    tiers: ['direct'],
  };
  job.signal = abortWhenClientGone(job.res);
  const run = await runPlan(
    routePlan.attempts,
    DIRECT_FAILOVER,
    job.signal,
    tracedAttempt(embeddingsAttempt(request, ctx), job.trace, routePlan.attempts, 'embeddings'),
    ctx,
  );
  await finish(job, { kind: 'embeddings', run });
}

function embeddingsAttempt(
  request: EmbeddingsRequest,
  ctx: ProxyContext,
): AttemptFn<EmbeddingsValue> {
  return async (target, signal) => {
    const adapter = ctx.adapterFor(target.provider.api);
    try {
      const response = await ctx.upstream.sendAndRead(
        adapter.buildEmbeddingsRequest(request, upstreamTarget(target, ctx.credentials)),
        signal,
      );
      const { text } = response;
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const error = adapter.parseError(response.statusCode, response.headers, text);
        return {
          ok: false,
          failure: { kind: error.kind, status: error.status, message: error.message },
        };
      }
      const context = {
        responseModel: target.key,
        request: { model: request.model, messages: [] },
        createdSeconds: Math.floor(ctx.wallNow() / 1000),
        fallbackId: ctx.newId(),
      };
      return {
        ok: true,
        value: {
          ...adapter.parseEmbeddingsResponse(text, context),
          upstreamRequestId: upstreamRequestIdOf(response.headers),
        },
      };
    } catch (error) {
      return { ok: false, failure: thrownFailure(error, abortedByTimeout(signal), false) };
    }
  };
}
