import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../core/openai/types.ts';
import type { Classification } from '../../core/routing/classify.ts';
import type { Plan } from '../../core/routing/plan.ts';
import type { IndexedRoute } from '../../core/routing/route-index.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';
import { settleCompletion, type SettledRequest } from '../http/accounting.ts';
import { receiptHeaders } from '../http/receipt.ts';
import type { ProxyContext } from '../proxy-context.ts';
import type { StartedStream } from './chat-attempts.ts';
import type { FailoverSettings, RunResult } from './run-plan.ts';

/** What the relay needs besides the started stream. */
export interface RelayInput {
  resolution: { routeName: string; route: IndexedRoute | undefined };
  classification: Classification;
  routePlan: Plan;
  input: RoutingInput;
  receivedAtMs: number;
  requestId: string;
  tenant: string | undefined;
  failover: FailoverSettings;
  request: ChatCompletionRequest;
  ctx: ProxyContext;
  signal: AbortSignal;
}

const DONE = 'data: [DONE]\n\n';

/**
 * Relays a started stream (resolving to its cost in USD) to the client chunk by chunk, waiting for `drain` when the client
 * reads slower than the provider writes, so memory stays bounded. The first byte commits us to
 * this target: a later upstream failure ends the stream with an SSE error event, never a
 * failover that would duplicate content.
 */
export async function relayStream(
  res: ServerResponse,
  run: RunResult<StartedStream>,
  input: RelayInput,
): Promise<number> {
  const { ctx } = input;
  const stream = run.value;
  const ttftMs = stream.firstTokenAtMs - input.receivedAtMs;
  const headers = receiptHeaders({
    route: input.resolution.routeName,
    rule: input.classification.rule,
    tier: run.winner.tier,
    provider: run.winner.target.provider.name,
    model: run.winner.target.model.name,
    attempts: run.attempts,
    costUSD: undefined,
    overheadMs: Math.max(0, ttftMs - run.attempts.reduce((s, a) => s + a.durationMs, 0)),
    cache: 'off',
    requestId: input.requestId,
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  const cancelOnClose = (): void => stream.cancel();
  input.signal.addEventListener('abort', cancelOnClose, { once: true });
  let failure: string | undefined;
  try {
    await writeChunks(res, stream.held);
    if (!stream.ended) failure = await pump(res, stream, input);
  } finally {
    input.signal.removeEventListener('abort', cancelOnClose);
  }
  const used = stream.translator.usage();
  ctx.health.attemptEnded(run.winner.target, used.inputTokens + used.outputTokens);
  if (input.signal.aborted) {
    const cancelled = account(input, run, ttftMs, 499);
    cancelled.record();
    return cancelled.costUSD;
  }
  if (failure !== undefined) {
    res.write(
      `data: ${JSON.stringify({ error: { message: failure, type: 'api_error', code: 'upstream_stream_error', param: null } })}\n\n`,
    );
  }
  const accounting = account(input, run, ttftMs, failure === undefined ? 200 : 502);
  ctx.health.recordSuccess(
    run.winner.target,
    ctx.now() - stream.startedAtMs,
    stream.firstTokenAtMs - stream.startedAtMs,
  );
  // SSE comments are ignored by clients; this one carries the cost, known only at the end.
  res.end(
    `: x-switchyard-cost-usd=${accounting.costUSD.toFixed(8)}\n\n${failure === undefined ? DONE : ''}`,
  );
  accounting.record();
  return accounting.costUSD;
}

async function pump(
  res: ServerResponse,
  stream: StartedStream,
  input: RelayInput,
): Promise<string | undefined> {
  const idleMs = input.failover.attemptTimeoutMs;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<'idle'>((resolve) => {
      timer = setTimeout(() => resolve('idle'), idleMs);
    });
    try {
      const next = await Promise.race([stream.rest.next(), idle]);
      if (next === 'idle') {
        stream.cancel();
        return `the provider stopped sending for ${idleMs} ms`;
      }
      if (next.done === true) {
        await writeChunks(res, [
          ...stream.translator.push(stream.decoder.decode()),
          ...stream.translator.end(),
        ]);
        return undefined;
      }
      await writeChunks(
        res,
        stream.translator.push(stream.decoder.decode(next.value, { stream: true })),
      );
    } catch (error) {
      if (input.signal.aborted) return undefined;
      const message = (error as { message?: string }).message ?? 'stream failed';
      return `the provider's stream failed after it started: ${message}`;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function writeChunks(
  res: ServerResponse,
  chunks: readonly ChatCompletionChunk[],
): Promise<void> {
  if (chunks.length === 0 || res.destroyed) return;
  let text = '';
  for (const chunk of chunks) text += `data: ${JSON.stringify(chunk)}\n\n`;
  if (!res.write(text)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
}

function account(
  input: RelayInput,
  run: RunResult<StartedStream>,
  ttftMs: number,
  status: number,
): SettledRequest {
  return settleCompletion(input.ctx, {
    resolution: input.resolution,
    classification: input.classification,
    routePlan: input.routePlan,
    winner: run.winner,
    attempts: run.attempts,
    usage: run.value.translator.usage(),
    stream: true,
    status,
    receivedAtMs: input.receivedAtMs,
    requestId: input.requestId,
    upstreamRequestId: run.value.upstreamRequestId,
    tenant: input.tenant,
    ttftMs,
    messages: input.request.messages,
  });
}
