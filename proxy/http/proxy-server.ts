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
import { readBody } from './read-body.ts';
import { assignRequestId, REQUEST_ID_HEADER, requestIdOf } from './request-id.ts';

/**
 * The data-plane HTTP server: the OpenAI-compatible API plus health endpoints. Plain node:http
 * rather than express on this path: five fixed routes do not need a router, and every
 * microsecond here is added to every request (see docs/adr/0002-node-http-on-the-hot-path.md).
 * Every request becomes an AnswerJob; whatever it throws is answered by `finish()` as an error.
 */
export function createProxyServer(ctx: ProxyContext): Server {
  const server = nodeHttp.createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
    const receivedAtMs = ctx.now();
    assignRequestId(req, ctx.newId);
    const job = newAnswerJob(req, res, ctx, receivedAtMs);
    dispatch(job).catch((error: unknown) => answerFailure(job, error));
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // long streams are bounded by the policy's timeouts instead
  return server;
}

async function dispatch(job: AnswerJob): Promise<void> {
  const { req, res, ctx } = job;
  switch (job.path) {
    case '/v1/chat/completions':
    case '/chat/completions':
      job.endpoint = 'chat';
      requireMethod(req, 'POST');
      countInFlight(res, ctx);
      authenticate(job);
      return handleChat(job, await readBody(req, ctx.options.maxBodyBytes));
    case '/v1/embeddings':
    case '/embeddings':
      job.endpoint = 'embeddings';
      requireMethod(req, 'POST');
      countInFlight(res, ctx);
      authenticate(job);
      return handleEmbeddings(job, await readBody(req, ctx.options.maxBodyBytes));
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
        `no route for ${req.method ?? 'GET'} ${job.path}; this is an OpenAI-compatible API under /v1`,
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

/** Counts the request in `switchyard_requests_in_flight` until its response closes. */
function countInFlight(res: ServerResponse, ctx: ProxyContext): void {
  ctx.metrics.requestStarted();
  res.on('close', ctx.metrics.requestEnded);
}

/**
 * Checks the client's key when keys are configured. The key's client name becomes the tenant,
 * replacing any x-switchyard-tenant header: a client cannot read another tenant's cache.
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
