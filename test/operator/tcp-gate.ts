// A loopback TCP forwarder that a test can shut and reopen: clients that reach the API server
// through it see it vanish (connections reset, new ones refused) and come back, while the
// control plane itself keeps running for everyone else.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A forwarder from a local port to `target`. */
export interface TcpGate {
  readonly port: number;
  /** Resets every open connection and refuses new ones. */
  close(): Promise<void>;
  /** Accepts connections again, on the same port. */
  open(): Promise<void>;
}

/** Starts forwarding 127.0.0.1:<free port> to `targetHost:targetPort`. */
export async function startTcpGate(targetHost: string, targetPort: number): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = async (): Promise<void> => {
    const next = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    async close() {
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      if (closing !== undefined)
        await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    open: listen,
  };
}
