import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { newAnswerJob, noteTenant, type AnswerJob } from '../answer/answer-job.ts';
import { finish } from '../answer/finish.ts';
import { TENANT_HEADER } from '../cache/response-cache.ts';
import { ProxyError } from '../errors/proxy-error.ts';
import { nodeHttp } from '../lean-imports.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { handleChat } from './chat-handler.ts';
import { handleEmbeddings } from './embeddings-handler.ts';
import { listModels } from './models-handler.ts';
import { BodyReader } from './body-reader.ts';
import { echoed } from './client-text.ts';
import { assignRequestId, REQUEST_ID_HEADER, requestIdOf } from './request-id.ts';

/**
 * The data-plane HTTP server: the OpenAI-compatible API plus health endpoints. Plain node:http
 * rather than express on this path: five fixed routes do not need a router, and every
 * microsecond here is added to every request (see docs/adr/0002-node-http-on-the-hot-path.md).
 * Every request becomes an AnswerJob; whatever it throws is answered by `finish()` as an error.
 */
export function createProxyServer(ctx: ProxyContext): Server {
  const { headersTimeoutMs, keepAliveTimeoutMs } = ctx.options;
  const bodies = new BodyReader(ctx.options, ctx.now);
  const server = nodeHttp.createServer(
    {
      keepAliveTimeout: keepAliveTimeoutMs,
      noDelay: true,
      headersTimeout: headersTimeoutMs,
      // Node checks headersTimeout this often (default 30 s, which would let a slow-loris client
      // hold its socket for up to headersTimeout + 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeoutMs / 4)),
      // The body has its own timeouts (BodyReader); once it is in, a long stream is bounded by
      // the policy's timeouts, not by a server-wide one.
      requestTimeout: 0,
    },
    (req, res) => {
      const receivedAtMs = ctx.now();
      assignRequestId(req, ctx.newId);
      const job = newAnswerJob(req, res, ctx, receivedAtMs);
      dispatch(job, bodies).catch((error: unknown) => answerFailure(job, error));
    },
  );
  ctx.metrics.onScrape(() => ctx.metrics.bodyBytesInFlight.set(bodies.inFlightBytes));
  server.once('close', () => bodies.close());
  return server;
}

async function dispatch(job: AnswerJob, bodies: BodyReader): Promise<void> {
  const { req, res, ctx } = job;
  switch (job.path) {
    case '/v1/chat/completions':
    case '/chat/completions':
      job.endpoint = 'chat';
      return handleChat(job, await admit(job, bodies));
    case '/v1/embeddings':
    case '/embeddings':
      job.endpoint = 'embeddings';
      return handleEmbeddings(job, await admit(job, bodies));
    case '/v1/models':
    case '/models':
      // Needs a key when keys are configured, as OpenAI's does: it names every provider and policy.
      requireMethod(req, 'GET');
      authenticate(job);
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
        `no route for ${echoed(req.method ?? 'GET')} ${echoed(job.path)}; this is an OpenAI-compatible API under /v1`,
      );
  }
}

/** Answers a failure through the one finish path; a failure inside it is only logged. */
function answerFailure(job: AnswerJob, error: unknown): void {
  finish(job, { kind: 'error', error }).catch((failure: unknown) => {
    job.ctx.log({
      time: new Date(job.ctx.wallNow()).toISOString(),
      level: 'error',
      msg: 'answering a failure failed',
      requestId: job.requestId,
      error: String((failure as Error)?.stack ?? failure),
    });
    if (!job.res.writableEnded) job.res.destroy();
  });
}

/**
 * Checks method and key, then reads the body; only then is the request in flight. A client
 * trickling its body is bounded by the body timeouts and never counts in
 * `switchyard_requests_in_flight`, the signal the fleet autoscales on.
 */
async function admit(job: AnswerJob, bodies: BodyReader): Promise<Buffer> {
  const { req, res, ctx } = job;
  requireMethod(req, 'POST');
  authenticate(job);
  const body = await bodies.read(req, res);
  countInFlight(res, ctx);
  return body;
}

/** Counts the request in `switchyard_requests_in_flight` until its response closes. */
function countInFlight(res: ServerResponse, ctx: ProxyContext): void {
  ctx.metrics.requestStarted();
  res.on('close', ctx.metrics.requestEnded);
}

/**
 * Checks the client's key when keys are configured. The key's client name becomes the tenant,
 * replacing any x-switchyard-tenant header: a client cannot read another tenant's cache. Without
 * keys the header counts only from the sources `tenantHeaderTrust` lists.
 */
function authenticate(job: AnswerJob): void {
  const { req, ctx } = job;
  let client: string | undefined;
  try {
    client = ctx.auth.authenticate(req.headers);
  } catch (error) {
    delete req.headers[TENANT_HEADER]; // a refused caller's claimed tenant is not logged as one
    throw error;
  }
  if (client !== undefined) req.headers[TENANT_HEADER] = client;
  else if (
    req.headers[TENANT_HEADER] !== undefined &&
    !ctx.options.tenantHeaderTrust.trusts(req.socket.remoteAddress)
  )
    delete req.headers[TENANT_HEADER];
  noteTenant(job);
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
