import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { nodeHttp } from '../lean-imports.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { handleChat } from './chat-handler.ts';
import { handleEmbeddings } from './embeddings-handler.ts';
import { listModels } from './models-handler.ts';
import { ProxyError } from './proxy-error.ts';
import { readBody } from './read-body.ts';
import { assignRequestId, REQUEST_ID_HEADER, requestIdOf, tenantOf } from './request-id.ts';
import { TENANT_HEADER } from '../cache/response-cache.ts';

/**
 * The data-plane HTTP server: the OpenAI-compatible API plus health endpoints. Plain node:http
 * rather than express on this path: five fixed routes do not need a router, and every
 * microsecond here is added to every request (see docs/adr/0002-node-http-on-the-hot-path.md).
 */
export function createProxyServer(ctx: ProxyContext): Server {
  const server = nodeHttp.createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
    const receivedAtMs = ctx.now();
    assignRequestId(req, ctx.newId);
    dispatch(req, res, ctx, receivedAtMs).catch((error: unknown) =>
      sendError(res, error, ctx, req, receivedAtMs),
    );
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // long streams are bounded by the policy's timeouts instead
  return server;
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ProxyContext,
  receivedAtMs: number,
): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0];
  switch (path) {
    case '/v1/chat/completions':
    case '/chat/completions':
      requireMethod(req, 'POST');
      countInFlight(res, ctx);
      authenticate(req, ctx);
      return handleChat(req, res, await readBody(req, ctx.options.maxBodyBytes), ctx, receivedAtMs);
    case '/v1/embeddings':
    case '/embeddings':
      requireMethod(req, 'POST');
      countInFlight(res, ctx);
      authenticate(req, ctx);
      return handleEmbeddings(
        req,
        res,
        await readBody(req, ctx.options.maxBodyBytes),
        ctx,
        receivedAtMs,
      );
    case '/v1/models':
    case '/models':
      requireMethod(req, 'GET');
      return sendJson(req, res, 200, listModels(ctx));
    case '/healthz':
      return sendJson(req, res, 200, { status: 'ok' });
    case '/readyz':
      return ctx.config.ready
        ? sendJson(req, res, 200, {
            status: 'ready',
            configHash: ctx.config.current?.config.configHash,
          })
        : sendJson(req, res, 503, { status: 'not ready', reason: 'no config loaded yet' });
    default:
      throw new ProxyError(
        'NOT_FOUND',
        `no route for ${req.method ?? 'GET'} ${path ?? '/'}; this is an OpenAI-compatible API under /v1`,
      );
  }
}

/** Counts the request in `switchyard_requests_in_flight` until its response closes. */
function countInFlight(res: ServerResponse, ctx: ProxyContext): void {
  ctx.metrics.requestStarted();
  res.on('close', ctx.metrics.requestEnded);
}

/**
 * Checks the client's key when keys are configured. The key's client name becomes the tenant,
 * replacing any x-switchyard-tenant header: a client cannot read another tenant's cache.
 */
function authenticate(req: IncomingMessage, ctx: ProxyContext): void {
  let client: string | undefined;
  try {
    client = ctx.auth.authenticate(req.headers);
  } catch (error) {
    delete req.headers[TENANT_HEADER]; // a refused caller's claimed tenant is not logged as one
    throw error;
  }
  if (client !== undefined) req.headers[TENANT_HEADER] = client;
}

function requireMethod(req: IncomingMessage, method: string): void {
  if (req.method !== method)
    throw new ProxyError('METHOD_NOT_ALLOWED', `use ${method} for ${req.url ?? ''}`);
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    [REQUEST_ID_HEADER]: requestIdOf(req),
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Answers any failure in OpenAI's error format; unexpected errors become a 500 without details. */
function sendError(
  res: ServerResponse,
  error: unknown,
  ctx: ProxyContext,
  req: IncomingMessage,
  receivedAtMs: number,
): void {
  const proxyError =
    error instanceof ProxyError
      ? error
      : new ProxyError('INTERNAL', 'internal error in the proxy; see its logs');
  ctx.log({
    time: new Date(ctx.wallNow()).toISOString(),
    level: proxyError.status >= 500 ? 'error' : 'warn',
    msg: 'request failed',
    requestId: requestIdOf(req),
    tenant: tenantOf(req),
    route: proxyError.route,
    path: (req.url ?? '').split('?', 1)[0],
    status: proxyError.status,
    errorCode: proxyError.code,
    origin: proxyError.origin,
    latencyMs: Math.round((ctx.now() - receivedAtMs) * 1000) / 1000,
    ...(proxyError.code === 'INTERNAL'
      ? { error: String((error as Error)?.stack ?? error) }
      : { error: proxyError.message }),
  });
  ctx.metrics.requests.inc({
    route: proxyError.route ?? 'none',
    tier: 'none',
    provider: 'none',
    model: 'none',
    code: String(proxyError.status),
    cache: 'off',
  });
  ctx.metrics.requestErrors.inc({
    route: proxyError.route ?? 'none',
    origin: proxyError.origin,
    code: String(proxyError.status),
  });
  if (res.headersSent) {
    // A stream already started: the relay reports its own errors; just make sure it ends.
    if (!res.writableEnded) res.end();
    return;
  }
  const headers: Record<string, string> = {
    'x-switchyard-error-origin': proxyError.origin,
    [REQUEST_ID_HEADER]: requestIdOf(req),
  };
  if (proxyError.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(proxyError.retryAfterSeconds);
  const payload = JSON.stringify(proxyError.toBody());
  res.writeHead(proxyError.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}
