// The only way into and out of the test node's network namespace: byte relays over Unix sockets,
// which (being files) reach across network namespaces where no TCP route exists. Started once on
// the host and once inside the node's namespace:
//
//   node relay.ts tcp:127.0.0.1:6443=unix:/dir/api.sock        listen on TCP, relay to a socket
//   node relay.ts unix:/dir/api.sock=tcp:127.0.0.1:6443        listen on a socket, relay to TCP
//   node relay.ts unix:/dir/egress.sock=connect                an HTTP CONNECT proxy on a socket
//
// Several rules may be given. The CONNECT proxy is what kube-apiserver's egress selector dials
// (transport uds, proxyProtocol HTTPConnect) to reach kubelets and pods, as konnectivity does in
// clusters whose control plane cannot route to its nodes. Prints "ready" once every listener is up.
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { rmSync } from 'node:fs';

type Endpoint =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) return { kind: 'unix', path: text.slice(5) };
  const match = /^tcp:(.+):(\d+)$/.exec(text);
  if (match === null) throw new Error(`not an endpoint (tcp:HOST:PORT or unix:PATH): ${text}`);
  return { kind: 'tcp', host: match[1]!, port: Number(match[2]) };
}

function dial(endpoint: Endpoint): Socket {
  return endpoint.kind === 'unix'
    ? connect(endpoint.path)
    : connect({ host: endpoint.host, port: endpoint.port, noDelay: true });
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  // A reset on one side resets the other, so a client sees what the server did.
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

function relayTo(target: Endpoint): (client: Socket) => void {
  return (client) => pipeBoth(client, dial(target));
}

/** Reads `CONNECT host:port HTTP/1.1` and its headers, then relays bytes to host:port. */
function connectProxy(client: Socket): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > 16_384) client.destroy();
      return;
    }
    client.off('data', onData);
    const match = /^CONNECT ([^\s:]+|\[[^\]]+\]):(\d+) HTTP\/1\.[01]\r\n/.exec(
      head.toString('latin1'),
    );
    if (match === null) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = connect({
      host: match[1]!.replace(/^\[|\]$/g, ''),
      port: Number(match[2]),
      noDelay: true,
    });
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      const rest = head.subarray(end + 4);
      if (rest.length > 0) upstream.write(rest);
      pipeBoth(client, upstream);
    });
    upstream.once('error', (error) => {
      if (!client.writableEnded) client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n${error.message}`);
    });
  };
  client.on('data', onData);
  client.on('error', () => undefined);
}

async function listen(rule: string): Promise<void> {
  const eq = rule.indexOf('=');
  if (eq < 0) throw new Error(`not a rule (LISTEN=TARGET): ${rule}`);
  const from = parseEndpoint(rule.slice(0, eq));
  const to = rule.slice(eq + 1);
  const server = createServer(
    { noDelay: true },
    to === 'connect' ? connectProxy : relayTo(parseEndpoint(to)),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (from.kind === 'unix') {
      rmSync(from.path, { force: true });
      server.listen(from.path, resolve);
    } else {
      server.listen({ host: from.host, port: from.port, exclusive: true }, resolve);
    }
  });
}

await Promise.all(process.argv.slice(2).map(listen));
process.stdout.write('ready\n');
