// Writing answers with the timing and faults a step asks for. Every wait ends early when the
// client goes away (or the fake closes), so no timer outlives its connection.
import type { ServerResponse } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';
import type { StreamFrames } from './provider-format.ts';
import type { ScriptStep } from './script-step.ts';
import { breakJson } from './sse.ts';

/** Waits `ms`; resolves false instead when the response closes first (client gone). */
export function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

/** Writes and waits until the bytes reached the socket; false when the client is gone. */
function write(res: ServerResponse, data: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = (): void => resolve(false);
    res.once('close', onClose);
    res.write(data, (error) => {
      res.off('close', onClose);
      resolve(error == null && !res.destroyed);
    });
  });
}

/**
 * Resets the TCP connection (RST, not FIN), so the client sees ECONNRESET rather than a clean
 * end of stream: the failure a crashed upstream or a dropped load balancer produces.
 */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) res.destroy();
  else socket.resetAndDestroy();
}

/** A complete (non-streamed) answer. */
export interface BodyAnswer {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
  /** Delay before anything is written. */
  waitMs: number;
}

/**
 * Sends a whole body after `waitMs`, applying the step's faults: `resetAfterChunks: 0` resets
 * before any byte, a larger value after the headers and half the body; `malformedJson` cuts the
 * body in half (with a matching Content-Length, so only the JSON is broken).
 */
export async function sendBody(
  res: ServerResponse,
  answer: BodyAnswer,
  step: ScriptStep,
): Promise<void> {
  if (!(await pause(res, answer.waitMs))) return;
  const reset = step.resetAfterChunks;
  if (reset === 0) {
    resetConnection(res);
    return;
  }
  const half = (text: string): string => text.slice(0, Math.floor(text.length / 2));
  const body = step.malformedJson === true ? half(answer.body) : answer.body;
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-type': answer.contentType,
    'content-length': String(Buffer.byteLength(body)),
  });
  if (reset === undefined) {
    res.end(body);
    return;
  }
  if (await write(res, half(body))) resetConnection(res);
}

/** A streamed answer. */
export interface StreamAnswer {
  frames: StreamFrames;
  headers: Record<string, string>;
  /** The in-band error event, when the step ends the stream with one. */
  errorFrame: string | undefined;
}

/** Where a stream stops early: a reset, or the in-band error event. */
interface EarlyStop {
  index: number;
  reset: boolean;
}

/** The first early stop the step asks for; a reset wins a tie. */
function earlyStop(step: ScriptStep, hasErrorFrame: boolean): EarlyStop | undefined {
  const reset = step.resetAfterChunks;
  const errorAt = hasErrorFrame ? step.streamErrorAfterChunks : undefined;
  if (reset !== undefined && (errorAt === undefined || reset <= errorAt)) {
    return { index: reset, reset: true };
  }
  return errorAt === undefined ? undefined : { index: errorAt, reset: false };
}

function stopEarly(res: ServerResponse, stop: EarlyStop, errorFrames: string): void {
  if (stop.reset) resetConnection(res);
  else res.end(errorFrames);
}

/** The frames to send, with the first content chunk (or the tail) broken when asked. */
function framesToSend(frames: StreamFrames, step: ScriptStep): { chunks: string[]; tail: string } {
  if (step.malformedJson !== true) return { chunks: frames.chunks, tail: frames.tail };
  const [first, ...rest] = frames.chunks;
  if (first === undefined) return { chunks: [], tail: breakJson(frames.tail) };
  return { chunks: [breakJson(first), ...rest], tail: frames.tail };
}

/**
 * Streams frames with the step's timing: headers after `latencyMs`, the first content chunk
 * `ttftMs` later, then one chunk every `chunkDelayMs`. `resetAfterChunks: N` resets the
 * connection after N content chunks (before the tail when N is past the last one);
 * `streamErrorAfterChunks: N` writes the in-band error event there and ends the stream.
 */
export async function sendStream(
  res: ServerResponse,
  answer: StreamAnswer,
  step: ScriptStep,
): Promise<void> {
  if (!(await pause(res, step.latencyMs ?? 0))) return;
  startStream(res, answer);
  const { head } = answer.frames;
  const { chunks, tail } = framesToSend(answer.frames, step);
  const errorFrame = answer.errorFrame ?? '';
  const stop = earlyStop(step, answer.errorFrame !== undefined);
  // Index chunks.length stands for the tail; a stop past the last chunk happens before it.
  const stopAt = stop === undefined ? -1 : Math.min(stop.index, chunks.length);
  for (let i = 0; i <= chunks.length; i++) {
    if (!(await pause(res, delayBefore(i, chunks.length, step)))) return;
    const prefix = i === 0 ? head : '';
    if (stop !== undefined && i === stopAt) {
      stopEarly(res, stop, prefix + errorFrame);
      return;
    }
    if (i === chunks.length) res.end(prefix + tail);
    else if (!(await write(res, prefix + chunks[i]))) return;
  }
}

/** The wait before chunk `i` of `count` (index `count` is the tail, sent right after). */
function delayBefore(i: number, count: number, step: ScriptStep): number {
  if (i === 0) return step.ttftMs ?? 0;
  return i < count ? (step.chunkDelayMs ?? 0) : 0;
}

function startStream(res: ServerResponse, answer: StreamAnswer): void {
  res.writeHead(200, {
    ...answer.headers,
    'content-type': answer.frames.contentType,
    'cache-control': 'no-cache',
  });
  // Headers go out now, as the real APIs send them before the first token.
  res.flushHeaders();
}
