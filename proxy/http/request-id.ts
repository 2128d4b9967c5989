import type { IncomingMessage } from 'node:http';
import { TENANT_HEADER } from '../cache/response-cache.ts';

/** The header that carries a request's id, both ways: what OpenAI's SDKs read as `request_id`. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An id from the client or an ingress (Envoy and nginx set one) is kept if it is this tame. */
const ACCEPTED_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives the request its id: the client's `x-request-id` when it has a sane one (so a trace started
 * at the ingress carries on), else `req_` and 32 hex digits. The id replaces the request's header,
 * where `requestIdOf` finds it; the receipt and error headers send it back, and every log line of
 * the request repeats it, so the `request_id` of a client's SDK exception finds its line. (Not set
 * on the response here: a header set before `writeHead(status, headers)` sends Node's writeHead
 * down a slower merging path, ~5 % of the CPU per request.)
 */
export function assignRequestId(req: IncomingMessage, newId: () => string): string {
  const offered = req.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && ACCEPTED_ID.test(offered) ? offered : `req_${newId()}`;
  req.headers[REQUEST_ID_HEADER] = id;
  return id;
}

/** The id `assignRequestId` gave this request. */
export function requestIdOf(req: IncomingMessage): string {
  return req.headers[REQUEST_ID_HEADER] as string;
}

/**
 * Who the request is for, for its log line: the client's name when client keys are configured
 * (the key decides it), else the `x-switchyard-tenant` header the client sent, cut to 128
 * characters. For chargeback from the logs; never a metric label (a header is unbounded input).
 */
export function tenantOf(req: IncomingMessage): string | undefined {
  const tenant = req.headers[TENANT_HEADER];
  return typeof tenant === 'string' && tenant !== '' ? tenant.slice(0, 128) : undefined;
}
