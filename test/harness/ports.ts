// Free loopback ports for the real components. Ports are drawn at random below the kernel's
// ephemeral range (32768+ by default): a port the kernel handed out with listen(0) and then freed
// is the very kind it may hand to the next outgoing connection, so the server we start next could
// lose it. Random picks also keep parallel test processes from colliding, and the set below keeps
// one process from handing out the same port twice.
import { createServer } from 'node:net';

const lowest = 20_000;
const highest = 32_000;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Returns a loopback TCP port that is free now and was not returned before in this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lowest + Math.floor(Math.random() * (highest - lowest));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port found in ${lowest}-${highest}`);
}

/** Returns `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let index = 0; index < count; index++) ports.push(await freePort());
  return ports;
}
