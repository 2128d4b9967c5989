import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProxyError } from '../errors/proxy-error.ts';

/** How request bodies are bounded in size, time and memory. Defaults in `DEFAULT_BODY_LIMITS`. */
export interface BodyLimits {
  /** Largest accepted body; a larger one is refused with 413. */
  maxBodyBytes: number;
  /** The whole body must arrive within this long after the headers, else 408. */
  bodyTimeoutMs: number;
  /** At most this long between two pieces of the body, else 408. */
  bodyIdleTimeoutMs: number;
  /**
   * Bytes of request bodies the proxy holds at once, from the first byte read until the answer
   * is sent (a body is parsed, translated and serialised again meanwhile: it costs several times
   * its size). A request that would pass it waits for nothing: it gets 503 with Retry-After.
   */
  maxInFlightBodyBytes: number;
}

/** The defaults: 10 MiB bodies, 60 s to send one, 15 s of silence at most, 64 MiB held at once. */
export const DEFAULT_BODY_LIMITS: BodyLimits = {
  maxBodyBytes: 10 * 1024 * 1024,
  bodyTimeoutMs: 60_000,
  bodyIdleTimeoutMs: 15_000,
  maxInFlightBodyBytes: 64 * 1024 * 1024,
};

/** Seconds a client refused for lack of body memory is told to wait. */
const BUSY_RETRY_AFTER_SECONDS = 1;
/** How long a refused upload may keep sending (and be discarded) before its socket is closed. */
const LINGER_MS = 2000;

/** Where a response remembers how many body bytes it holds (no closure per request). */
const RESERVED = Symbol('switchyard.reservedBodyBytes');
type HeldResponse = ServerResponse & { [RESERVED]?: number };

/** A body being read: what the sweeper needs to time it out. */
interface PendingRead {
  startedMs: number;
  lastDataMs: number;
  fail: (error: ProxyError) => void;
}

/**
 * Reads request bodies within `BodyLimits`. Timeouts are checked by one sweeper for all reads
 * (a timer per request and per chunk would cost every request CPU), so they fire up to a quarter
 * of the shorter timeout late. Memory is reserved per body and released when its response closes.
 */
export class BodyReader {
  readonly #limits: BodyLimits;
  readonly #now: () => number;
  readonly #pending = new Set<PendingRead>();
  #inFlightBytes = 0;
  #sweeper: NodeJS.Timeout | undefined;
  /** Gives back what a response's body held when it closes; one function for every response. */
  readonly #release: (this: HeldResponse) => void;

  constructor(limits: BodyLimits, now: () => number) {
    if (limits.maxInFlightBodyBytes < limits.maxBodyBytes)
      throw new Error(
        `the in-flight body budget (${limits.maxInFlightBodyBytes} bytes) is smaller than the largest body (${limits.maxBodyBytes}): no large body could ever be served`,
      );
    this.#limits = limits;
    this.#now = now;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener's `this` is the response
    const reader = this;
    this.#release = function (this: HeldResponse): void {
      reader.#inFlightBytes -= this[RESERVED] ?? 0;
      this[RESERVED] = 0;
    };
  }

  /** Bytes of request bodies held now (a gauge). */
  get inFlightBytes(): number {
    return this.#inFlightBytes;
  }

  /** Stops the sweeper (on shutdown). */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /**
   * Reads the body of `req`; its memory stays reserved until `res` closes. Rejects with 413
   * (too large), 408 (too slow), 503 (no body memory left) or 499 (the client left).
   */
  read(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
    const { maxBodyBytes } = this.#limits;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes)
      return Promise.reject(
        refuseUpload(
          req,
          new ProxyError(
            'BODY_TOO_LARGE',
            `request body is ${declared} bytes; the limit is ${maxBodyBytes}`,
          ),
        ),
      );
    const held = res as HeldResponse;
    held[RESERVED] = 0;
    // One shared listener for every response (no closure per request: this is the hot path).
    res.on('close', this.#release);
    const reserve = (bytes: number): boolean => {
      const reserved = held[RESERVED] ?? 0;
      if (bytes <= reserved) return true;
      if (this.#inFlightBytes + bytes - reserved > this.#limits.maxInFlightBodyBytes) return false;
      this.#inFlightBytes += bytes - reserved;
      held[RESERVED] = bytes;
      return true;
    };
    if (Number.isFinite(declared) && !reserve(declared))
      return Promise.reject(refuseUpload(req, busy()));
    return this.#collect(req, reserve);
  }

  #collect(req: IncomingMessage, reserve: (bytes: number) => boolean): Promise<Buffer> {
    const { maxBodyBytes } = this.#limits;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const now = this.#now();
      const pending: PendingRead = { startedMs: now, lastDataMs: now, fail: (e) => fail(e) };
      const stop = (): void => {
        this.#pending.delete(pending);
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      const fail = (error: ProxyError): void => {
        stop();
        reject(refuseUpload(req, error));
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        pending.lastDataMs = this.#now();
        if (size > maxBodyBytes) {
          fail(
            new ProxyError(
              'BODY_TOO_LARGE',
              `request body exceeds the limit of ${maxBodyBytes} bytes`,
            ),
          );
        } else if (!reserve(size)) fail(busy());
        else chunks.push(chunk);
      };
      const onEnd = (): void => {
        stop();
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      };
      // A request stream only errors when its connection does ('aborted', a reset), and 'close'
      // before 'end' is the same: the client left in the middle of its body.
      const clientLeft = (): void => {
        stop();
        reject(
          new ProxyError(
            'CLIENT_CLOSED_REQUEST',
            'the client closed the connection before sending its whole body',
          ),
        );
      };
      const onError = clientLeft;
      const onClose = clientLeft;
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('error', onError);
      req.once('close', onClose);
      this.#pending.add(pending);
      this.#sweeper ??= this.#startSweeper();
    });
  }

  #startSweeper(): NodeJS.Timeout {
    const { bodyTimeoutMs, bodyIdleTimeoutMs } = this.#limits;
    const everyMs = Math.max(10, Math.min(1000, Math.min(bodyTimeoutMs, bodyIdleTimeoutMs) / 4));
    const sweeper = setInterval(() => {
      const now = this.#now();
      for (const read of this.#pending) {
        if (now - read.startedMs > bodyTimeoutMs)
          read.fail(slow(`the request body did not arrive within ${bodyTimeoutMs} ms`));
        else if (now - read.lastDataMs > bodyIdleTimeoutMs)
          read.fail(slow(`the request body stalled for more than ${bodyIdleTimeoutMs} ms`));
      }
      if (this.#pending.size === 0) {
        clearInterval(sweeper);
        this.#sweeper = undefined;
      }
    }, everyMs);
    sweeper.unref();
    return sweeper;
  }
}

function busy(): ProxyError {
  return new ProxyError(
    'OVERLOADED',
    'the proxy holds as many request bodies as its memory budget allows; retry shortly',
    { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
  );
}

function slow(message: string): ProxyError {
  return new ProxyError('REQUEST_TIMEOUT', `${message}; send the body without pauses`);
}

/**
 * Prepares the connection of a refused upload for its error answer: the rest of the body is
 * read and discarded for a moment (closing at once would reset the connection, and the client
 * might lose the answer before reading it), then the connection is closed.
 */
function refuseUpload(req: IncomingMessage, error: ProxyError): ProxyError {
  error.closeConnection = true;
  if (req.complete) return error;
  req.resume();
  const linger = setTimeout(() => req.socket.destroy(), LINGER_MS);
  linger.unref();
  req.once('end', () => clearTimeout(linger));
  req.once('close', () => clearTimeout(linger));
  return error;
}
