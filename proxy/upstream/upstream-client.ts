import type { Dispatcher, Pool } from 'undici';
import { UndiciPool } from '../lean-imports.ts';
import type { UpstreamRequest } from '../providers/adapter.ts';

/** Tuning of the upstream connection pools. */
export interface UpstreamClientOptions {
  /** Connections per origin. Defaults to 256. */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive connection is kept. Defaults to 30 s. */
  keepAliveTimeoutMs?: number;
  /** TCP connect timeout. Defaults to 5 s: a refused or unroutable host fails over fast. */
  connectTimeoutMs?: number;
}

/** A started upstream response: status, headers, and the body as a byte stream. */
export interface UpstreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
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
    };
  }

  /** Sends a request and resolves when the response headers arrived. */
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
