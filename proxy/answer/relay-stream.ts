import type { ServerResponse } from 'node:http';
import { costUSD } from '../../core/cost/cost.ts';
import type { ChatCompletionChunk } from '../../core/openai/types.ts';
import type { StartedStream } from '../execute/chat-attempts.ts';
import type { JudgeCapture } from '../quality/prepare-judging.ts';
import type { AnswerJob } from './answer-job.ts';
import { answeredRequest, receiptOf, timingOf } from './answered.ts';
import type { AnsweredRequest, AnswerOutcome } from './outcome.ts';
import { receiptHeaders } from './receipt.ts';

const DONE = 'data: [DONE]\n\n';

/**
 * Relays a started stream to the client chunk by chunk, waiting for `drain` when the client
 * reads slower than the provider writes, so memory stays bounded. The first byte commits us to
 * this target: a later upstream failure ends the stream with an SSE error event, never a
 * failover that would duplicate content. The cost, known only at the end, rides in a last SSE
 * comment.
 */
export async function relayStream(
  job: AnswerJob,
  outcome: Extract<AnswerOutcome, { kind: 'stream' }>,
): Promise<AnsweredRequest> {
  const { ctx, res } = job;
  const { run } = outcome;
  const stream = run.value;
  const signal = job.signal as AbortSignal;
  const ttftMs = stream.firstTokenAtMs - job.receivedAtMs;
  const head = timingOf(job, run.attempts, ttftMs);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...receiptHeaders(receiptOf(job, run.winner, run.attempts, undefined, head.overheadMs)),
  });
  const cancelOnClose = (): void => stream.cancel();
  signal.addEventListener('abort', cancelOnClose, { once: true });
  let failure: string | undefined;
  try {
    const capture = job.judging;
    await writeChunks(res, stream.held, capture);
    if (!stream.ended)
      failure = await pump(res, stream, signal, outcome.failover.attemptTimeoutMs, capture);
  } finally {
    signal.removeEventListener('abort', cancelOnClose);
  }
  const usage = stream.translator.usage();
  const target = run.winner.target;
  ctx.health.attemptEnded(target, usage.inputTokens + usage.outputTokens);
  const cost = costUSD(usage, target.model.pricing);
  const status = signal.aborted ? 499 : failure === undefined ? 200 : 502;
  if (!signal.aborted) {
    if (failure !== undefined) res.write(streamErrorEvent(failure));
    ctx.health.recordSuccess(
      target,
      ctx.now() - stream.startedAtMs,
      stream.firstTokenAtMs - stream.startedAtMs,
    );
    // SSE comments are ignored by clients; this one carries the cost, known only at the end.
    res.end(`: x-switchyard-cost-usd=${cost.toFixed(8)}\n\n${failure === undefined ? DONE : ''}`);
  }
  return answeredRequest(
    job,
    outcome,
    {
      status,
      winner: run.winner,
      attempts: run.attempts,
      usage,
      costUSD: cost,
      spentUSD: cost,
      ttftMs,
      upstreamRequestId: stream.upstreamRequestId,
      error: undefined,
      streamFailure: failure,
    },
    { latencyMs: ctx.now() - job.receivedAtMs, overheadMs: head.overheadMs },
  );
}

/** Appends a chunk's content (the first choice's) to the captured answer. */
function collectText(capture: JudgeCapture, chunk: ChatCompletionChunk): void {
  const content = chunk.choices[0]?.delta.content;
  if (typeof content === 'string') capture.text += content;
}

function streamErrorEvent(message: string): string {
  const error = { message, type: 'api_error', code: 'upstream_stream_error', param: null };
  return `data: ${JSON.stringify({ error })}\n\n`;
}

async function pump(
  res: ServerResponse,
  stream: StartedStream,
  signal: AbortSignal,
  idleMs: number,
  capture: JudgeCapture | undefined,
): Promise<string | undefined> {
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
        await writeChunks(
          res,
          [...stream.translator.push(stream.decoder.decode()), ...stream.translator.end()],
          capture,
        );
        return undefined;
      }
      await writeChunks(
        res,
        stream.translator.push(stream.decoder.decode(next.value, { stream: true })),
        capture,
      );
    } catch (error) {
      if (signal.aborted) return undefined;
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
  capture: JudgeCapture | undefined,
): Promise<void> {
  if (chunks.length === 0 || res.destroyed) return;
  let text = '';
  for (const chunk of chunks) text += `data: ${JSON.stringify(chunk)}\n\n`;
  // Only answers that may be judged keep their text (prepare-judging.ts): the rest pay nothing.
  if (capture !== undefined) for (const chunk of chunks) collectText(capture, chunk);
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
