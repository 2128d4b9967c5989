import { Server as NetServer } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Closes a server gracefully: see gracefulCloser. */
export type GracefulClose = (drainMs: number) => Promise<void>;

/** How long connections idle at close time may still bring a request, before they are closed. */
const idleGraceMs = 1000;

/**
 * Prepares `server` (call it before it serves) for a close that fails no request on a keep-alive
 * connection. A Service balances connections, not requests, so when a pod is told to stop its
 * clients still hold connections to it and send their next request on them at once; closing such
 * a connection between two requests races with that request, which then fails with ECONNRESET
 * (and POSTs are not retried). Instead, every answer from the moment of closing says
 * `Connection: close` (answers already being prepared too), so each client closes its connection
 * after its next answer; connections still idle after a second are closed, and whatever is open
 * after `drainMs` is cut. New connections are refused from the start.
 */
export function gracefulCloser(server: Server): GracefulClose {
  const preparing = new Set<ServerResponse>();
  let closing = false;
  // Prepended, so the header is set before the request handler can write the head.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      res.setHeader('connection', 'close');
      return;
    }
    preparing.add(res);
    res.once('close', () => preparing.delete(res));
  });
  return (drainMs) =>
    new Promise((resolve) => {
      closing = true;
      for (const res of preparing) if (!res.headersSent) res.setHeader('connection', 'close');
      preparing.clear();
      let sweeper: NodeJS.Timeout | undefined;
      const grace = setTimeout(
        () => {
          server.closeIdleConnections();
          sweeper = setInterval(() => server.closeIdleConnections(), 50).unref();
        },
        Math.min(idleGraceMs, drainMs),
      ).unref();
      const deadline = setTimeout(() => server.closeAllConnections(), drainMs).unref();
      // net.Server's close stops accepting and waits for the open connections; http.Server's own
      // close would also drop the idle ones at once, the race this function exists to avoid.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(grace);
        clearTimeout(deadline);
        clearInterval(sweeper);
        resolve();
      });
    });
}
