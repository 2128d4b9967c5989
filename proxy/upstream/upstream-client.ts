import type { Dispatcher, Pool } from 'undici';
import { UndiciPool } from '../lean-imports.ts';
import type { UpstreamRequest } from '../providers/adapter.ts';
import { badResponse } from '../providers/adapter-error.ts';

/** Tuning of the upstream connection pools. */
export interface UpstreamClientOptions {
  /** Connections per origin. Defaults to 256. */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive connection is kept. Defaults to 30 s. */
  keepAliveTimeoutMs?: number;
  /** TCP connect timeout. Defaults to 5 s: a refused or unroutable host fails over fast. */
  connectTimeoutMs?: number;
  /**
   * Largest non-streamed answer read into memory; a bigger one fails the attempt (`bad_response`)
   * instead of the proxy. Defaults to 64 MiB, far above any chat or embeddings answer.
   */
  maxAnswerBytes?: number;
}

/** A started upstream response: status, headers, and the body as a byte stream. */
export interface UpstreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * The provider's own id for an answer (OpenAI and compatibles: `x-request-id`, Anthropic:
 * `request-id`), logged with the request so a question to the provider can name it.
 */
export function upstreamRequestIdOf(headers: UpstreamText['headers']): string | undefined {
  const id = headers['x-request-id'] ?? headers['request-id'];
  return typeof id === 'string' ? id : undefined;
}

/** A whole upstream answer, read as text. */
export interface UpstreamText {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Collects one answer for `sendAndRead`, and aborts it when `signal` fires. */
class TextCollector implements Dispatcher.DispatchHandler {
  readonly #signal: AbortSignal;
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #resolve: (answer: UpstreamText) => void;
  readonly #reject: (error: Error) => void;
  readonly #chunks: Buffer[] = [];
  #controller: Dispatcher.DispatchController | undefined;
  #statusCode = 0;
  #headers: UpstreamText['headers'] = {};
  readonly #onAbort = (): void => this.#controller?.abort(this.#signal.reason as Error);

  constructor(
    signal: AbortSignal,
    maxBytes: number,
    resolve: (answer: UpstreamText) => void,
    reject: (error: Error) => void,
  ) {
    this.#signal = signal;
    this.#maxBytes = maxBytes;
    this.#resolve = resolve;
    this.#reject = reject;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#signal.aborted) controller.abort(this.#signal.reason as Error);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: UpstreamText['headers'],
  ): void {
    if (statusCode < 200) return; // 1xx: informational, the answer follows
    this.#statusCode = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      this.#chunks.length = 0;
      controller.abort(badResponse(`the upstream answer exceeds ${this.#maxBytes} bytes`));
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#resolve({
      statusCode: this.#statusCode,
      headers: this.#headers,
      text: body.toString('utf8'),
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#reject(error);
  }
}

/**
 * One keep-alive undici Pool per upstream origin (TCP_NODELAY is undici's default). Requests
 * are cancelled through their AbortSignal, which the executor ties to the client's connection,
 * the attempt timeout and hedging.
 */
export class UpstreamClient {
  readonly #pools = new Map<string, Pool>();
  readonly #options: Required<UpstreamClientOptions>;

  constructor(options: UpstreamClientOptions = {}) {
    this.#options = {
      connectionsPerOrigin: options.connectionsPerOrigin ?? 256,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      maxAnswerBytes: options.maxAnswerBytes ?? 64 * 1024 * 1024,
    };
  }

  /** Sends a request and resolves when the response headers arrived; for streams, read as they come. */
  async send(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const url = new URL(request.url);
    const response = await this.#pool(url.origin).request({
      path: url.pathname + url.search,
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal,
      // The executor enforces its own attempt and first-token deadlines through `signal`.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  }

  /**
   * Sends a request and reads the whole answer as text: the non-streaming path. Through undici's
   * dispatch API rather than `request()`, which would wrap every answer in a body stream (and an
   * async resource) only for the text to be collected again: ~18 % of the proxy's CPU per request
   * (A/B in docs/performance.md).
   */
  sendAndRead(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamText> {
    const url = new URL(request.url);
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const collector = new TextCollector(signal, this.#options.maxAnswerBytes, resolve, reject);
      try {
        this.#pool(url.origin).dispatch(
          {
            path: url.pathname + url.search,
            method: request.method,
            headers: request.headers,
            body: request.body ?? null,
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          collector,
        );
      } catch (error) {
        collector.onResponseError(undefined, error as Error);
      }
    });
  }

  /** Closes every pool (on shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = new UndiciPool(origin, {
        connections: this.#options.connectionsPerOrigin,
        keepAliveTimeout: this.#options.keepAliveTimeoutMs,
        connect: { timeout: this.#options.connectTimeoutMs },
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }
}
