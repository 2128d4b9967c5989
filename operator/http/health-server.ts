import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What the probes report. */
export interface HealthState {
  /** Live: the process is not wedged (its loops are running). */
  healthy: () => boolean;
  /** Ready: every informer has listed once. */
  ready: () => boolean;
  /** Extra fields for the probe bodies (leader, configHash); never secrets. */
  details: () => Record<string, unknown>;
}

/** A running health server. */
export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `/healthz`, `/readyz` and `/metrics` on `port` (0 picks one). */
export async function startHealthServer(
  port: number,
  host: string,
  state: HealthState,
  registry: Registry,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? state.healthy() : state.ready();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok, ...state.details() }));
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
