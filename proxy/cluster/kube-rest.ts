import type { Dispatcher, Pool } from 'undici';
import { UndiciPool } from '../lean-imports.ts';
import type { ClusterAccess } from './cluster-access.ts';

/** A failed API call: the HTTP status and the API server's Status message, never a body. */
export class KubeApiError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
  }
}

/** One event of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/**
 * The two API calls the proxy makes, list and watch, over one keep-alive connection pool. A
 * watch streams one JSON event per line; the server ends it after `timeoutSeconds`.
 */
export class KubeRest {
  readonly #access: ClusterAccess;
  readonly #pool: Pool;
  /** The server URL's path, when the API server is reached through a proxy that routes by path. */
  readonly #basePath: string;

  constructor(access: ClusterAccess) {
    this.#access = access;
    const server = new URL(access.server);
    this.#basePath = server.pathname.replace(/\/+$/, '');
    this.#pool = new UndiciPool(server.origin, {
      connections: 4,
      // HTTP/1.1: two watches and a list need no multiplexing, and an API server that negotiates
      // HTTP/2 would load node:http2 (~5 MB of RSS) into every proxy (see ../lean-imports.ts).
      allowH2: false,
      connect: { ...access.tls, timeout: 10_000 },
    });
  }

  /** GETs `path` with `query` and returns the parsed JSON; throws KubeApiError on a non-2xx. */
  async get(path: string, query: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    const response = await this.#request(path, query, signal, 30_000);
    return response.body.json();
  }

  /**
   * Watches `path` from `query.resourceVersion`, calling `onEvent` for each event. Resolves when
   * the server ends the stream; rejects on a failed request or a broken connection.
   */
  async watch(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal,
    onEvent: (event: WatchEvent) => void,
  ): Promise<void> {
    const response = await this.#request(path, { ...query, watch: 'true' }, signal, 0);
    // A streaming decoder: a UTF-8 character split between two chunks must not become U+FFFD (the
    // config's hash would then not match its content and the proxy would refuse it).
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      const searchFrom = pending.length;
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n', searchFrom);
      while (newline !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
        newline = pending.indexOf('\n');
      }
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  async #request(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal,
    bodyTimeout: number,
  ): Promise<Dispatcher.ResponseData> {
    const response = await this.#pool.request({
      path: `${this.#basePath}${path}?${new URLSearchParams(query).toString()}`,
      method: 'GET',
      headers: { accept: 'application/json', ...(await this.#access.headers()) },
      signal,
      headersTimeout: 30_000,
      bodyTimeout,
    });
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    const status = (await response.body.json().catch(() => undefined)) as
      { message?: unknown } | undefined;
    const message = typeof status?.message === 'string' ? status.message : 'no Status message';
    throw new KubeApiError(response.statusCode, message);
  }
}
