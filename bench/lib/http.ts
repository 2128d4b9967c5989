// The benchmark's own HTTP client: keep-alive undici Pools (TCP_NODELAY is undici's default), timed
// with performance.now() around the whole exchange, body included.
import { Pool } from 'undici';
import { BENCH_MODEL } from './manifests.ts';

/** A path and headers that reach the zero-delay fake directly, through Switchyard or Portkey. */
export interface Endpoint {
  /** Label in tables, e.g. `direct`, `switchyard`, `portkey`. */
  name: string;
  origin: string;
  /** `/v1/chat/completions`. */
  path: string;
  /** The `model` to send: the alias for Switchyard, the provider's model otherwise. */
  model: string;
  headers: Record<string, string>;
}

/** An endpoint on `origin` sending `model` (default: the fakes' model) with extra headers. */
export function endpoint(
  name: string,
  origin: string,
  model: string = BENCH_MODEL,
  headers: Record<string, string> = {},
): Endpoint {
  return {
    name,
    origin,
    path: '/v1/chat/completions',
    model,
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-bench',
      ...headers,
    },
  };
}

/** The chat request body every measurement sends: short prompt, short answer (~30 words). */
export function chatBody(model: string, stream = false): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'Say hello to the benchmark in one short sentence.' },
    ],
    ...(stream ? { stream: true } : {}),
  });
}

/** A keep-alive client for one endpoint. */
export class Client {
  readonly endpoint: Endpoint;
  readonly #pool: Pool;
  readonly #body: string;
  readonly #streamBody: string;

  constructor(target: Endpoint, connections = 1) {
    this.endpoint = target;
    this.#pool = new Pool(target.origin, {
      connections,
      pipelining: 1,
      // No request of the benchmark takes long: a hang fails the measurement instead of stalling it.
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    this.#body = chatBody(target.model);
    this.#streamBody = chatBody(target.model, true);
  }

  /** Sends one chat completion and returns its duration in ms; throws on a non-200 answer. */
  async post(extraHeaders?: Record<string, string>): Promise<Timed> {
    const started = performance.now();
    const response = await this.#pool.request({
      path: this.endpoint.path,
      method: 'POST',
      headers:
        extraHeaders === undefined
          ? this.endpoint.headers
          : { ...this.endpoint.headers, ...extraHeaders },
      body: this.#body,
    });
    const text = await response.body.text();
    const ms = performance.now() - started;
    if (response.statusCode !== 200) {
      throw new Error(`${this.endpoint.name}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
    }
    return { ms, headers: response.headers };
  }

  /**
   * Sends one streamed chat completion and times it: the first content delta (time to first
   * token), the gaps between the body chunks that followed, and the whole stream.
   */
  async stream(): Promise<TimedStream> {
    const started = performance.now();
    const response = await this.#pool.request({
      path: this.endpoint.path,
      method: 'POST',
      headers: this.endpoint.headers,
      body: this.#streamBody,
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw new Error(`${this.endpoint.name}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
    }
    let seen = '';
    let ttftMs = Number.NaN;
    let last = 0;
    const gapsMs: number[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      const now = performance.now();
      if (Number.isNaN(ttftMs)) {
        seen += chunk.toString('utf8');
        if (FIRST_CONTENT.test(seen)) ttftMs = now - started;
      } else gapsMs.push(now - last);
      last = now;
    }
    if (!seen.includes('data:')) throw new Error(`${this.endpoint.name}: not an SSE stream`);
    return { ttftMs, gapsMs, totalMs: performance.now() - started };
  }

  /** Closes the pool's connections. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/** A non-empty content delta in an OpenAI chunk. */
const FIRST_CONTENT = /"content":"[^"]/;

/** A timed request. */
export interface Timed {
  ms: number;
  headers: Record<string, string | string[] | undefined>;
}

/** A timed stream. */
export interface TimedStream {
  ttftMs: number;
  /** Gaps between body chunks after the first content, in arrival order. */
  gapsMs: number[];
  totalMs: number;
}

/**
 * Sends one request to each client in turn (a round), `rounds` times or until `budgetMs` has
 * passed: sample i of every client comes from the same round (paired samples).
 */
export async function interleaved(
  clients: readonly Client[],
  rounds: number,
  budgetMs: number,
): Promise<Timed[][]> {
  const samples = clients.map(() => [] as Timed[]);
  const deadline = performance.now() + budgetMs;
  for (let round = 0; round < rounds && performance.now() < deadline; round++) {
    for (let i = 0; i < clients.length; i++) {
      (samples[i] as Timed[]).push(await (clients[i] as Client).post());
    }
  }
  return samples;
}

/** Durations of timed requests, in ms. */
export function durations(timed: readonly Timed[]): number[] {
  return timed.map((t) => t.ms);
}

/** Sends `rounds` interleaved rounds and discards the timings (JIT, pools, caches). */
export async function warmUp(clients: readonly Client[], rounds: number): Promise<void> {
  await interleaved(clients, rounds, 30_000);
}

/** Closes every client. */
export async function closeAll(clients: readonly Client[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}
