import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';

/** One fetch of a feed document. */
export interface FeedRequest {
  url: string;
  /** Connection to last byte. */
  timeoutMs: number;
  /** The largest document accepted, in bytes (after decompression). */
  maxBytes: number;
  /** From the last answer: sent as If-None-Match / If-Modified-Since. */
  etag?: string | undefined;
  lastModified?: string | undefined;
  /** A header carrying the credential; its value is never part of an error or a log line. */
  credential?: { header: string; value: string } | undefined;
  /** Aborts the fetch (the operator stops or loses leadership). */
  signal?: AbortSignal | undefined;
}

/** What a fetch got. */
export type FeedResponse =
  | { kind: 'document'; text: string; etag: string | undefined; lastModified: string | undefined }
  | { kind: 'not-modified' };

/** Why a fetch failed, as the Synced condition's reason. */
export type FeedFetchFailure = 'FetchFailed' | 'HTTPError' | 'TooLarge';

/** A failed fetch: a stable code and a message with no credential and no query string in it. */
export class FeedFetchError extends Error {
  override name = 'FeedFetchError';
  readonly code: FeedFetchFailure;

  constructor(code: FeedFetchFailure, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Fetches feed documents: one GET with a deadline for the whole exchange, conditional headers so
 * an unchanged feed answers 304 without a body, gzip accepted (the public feeds shrink tenfold),
 * and a size limit counted on the decompressed bytes as they arrive — a 50 MB answer, or a small
 * gzip that inflates to one, is cut off at the limit, never buffered whole. Redirects are not
 * followed: a credential must reach only the address in spec.url. Only the operator fetches.
 */
export class FeedFetcher {
  readonly #agent = new Agent({ keepAliveTimeout: 10_000, connections: 4 });

  /** Fetches one document; throws FeedFetchError. */
  async fetch(req: FeedRequest): Promise<FeedResponse> {
    const where = printableUrl(req.url);
    const deadline = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal === undefined ? deadline : AbortSignal.any([deadline, req.signal]);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'accept-encoding': 'gzip',
      'user-agent': 'switchyard-operator (price feed sync)',
    };
    if (req.etag !== undefined) headers['if-none-match'] = req.etag;
    if (req.lastModified !== undefined) headers['if-modified-since'] = req.lastModified;
    if (req.credential !== undefined)
      headers[req.credential.header.toLowerCase()] = req.credential.value;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(req.url, {
        method: 'GET',
        headers,
        dispatcher: this.#agent,
        signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
    } catch (error) {
      throw new FeedFetchError(
        'FetchFailed',
        `GET ${where} failed: ${describe(error, deadline, req.timeoutMs)}`,
      );
    }
    const { statusCode } = response;
    if (statusCode === 304) {
      await response.body.dump();
      return { kind: 'not-modified' };
    }
    if (statusCode !== 200) {
      await response.body.dump().catch(() => undefined);
      throw new FeedFetchError('HTTPError', httpErrorMessage(where, statusCode, response.headers));
    }
    const declared = Number(header(response.headers, 'content-length') ?? Number.NaN);
    if (declared > req.maxBytes) {
      response.body.destroy();
      throw tooLarge(where, req.maxBytes, `it declares ${declared} bytes`);
    }
    const gzip = header(response.headers, 'content-encoding')?.toLowerCase() === 'gzip';
    try {
      const text = await readLimited(decoded(response.body, gzip), req.maxBytes);
      if (text === undefined) {
        response.body.destroy();
        throw tooLarge(where, req.maxBytes, 'it went on past the limit');
      }
      return {
        kind: 'document',
        text,
        etag: header(response.headers, 'etag'),
        lastModified: header(response.headers, 'last-modified'),
      };
    } catch (error) {
      if (error instanceof FeedFetchError) throw error;
      response.body.destroy();
      throw new FeedFetchError(
        'FetchFailed',
        `reading ${where} failed: ${describe(error, deadline, req.timeoutMs)}`,
      );
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/** The body, inflated when gzipped; an error of the raw body (an abort) ends the inflated one too. */
function decoded(body: Readable, gzip: boolean): Readable {
  if (!gzip) return body;
  const gunzip = createGunzip();
  body.on('error', (error) => gunzip.destroy(error));
  gunzip.on('close', () => body.destroy());
  return body.pipe(gunzip);
}

/** The body as UTF-8, or undefined once it passes `maxBytes` (reading stops there). */
async function readLimited(body: Readable, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function tooLarge(where: string, maxBytes: number, detail: string): FeedFetchError {
  return new FeedFetchError(
    'TooLarge',
    `the document at ${where} is larger than maxSizeMiB (${maxBytes / 1048576} MiB): ${detail}; it was refused unread`,
  );
}

function httpErrorMessage(
  where: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
): string {
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location');
    const to = location === undefined ? '' : ` to ${printableUrl(location, where)}`;
    return `GET ${where} answered ${status}, a redirect${to}; redirects are not followed (a credential must reach only spec.url): set spec.url to the final address`;
  }
  const hint =
    status === 401 || status === 403
      ? ': check spec.auth (the Secret, header and scheme)'
      : status === 404
        ? ': check spec.url'
        : '';
  return `GET ${where} answered ${status}${hint}`;
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A URL fit for status, Events and logs: scheme, host and path only. User info and the query
 * string are dropped, since either may carry a credential someone put in the URL.
 */
export function printableUrl(url: string, base?: string): string {
  try {
    const parsed = new URL(url, base);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function describe(error: unknown, deadline: AbortSignal, timeoutMs: number): string {
  if (deadline.aborted) return `no complete answer within timeoutSeconds (${timeoutMs / 1000} s)`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = (error as { code?: unknown } | null)?.code ?? cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  // undici's messages name the address and the system error, never request headers.
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
