// The floor Switchyard is compared with: the least a Node proxy on the same stack can do, a
// node:http server forwarding each POST to one upstream through a keep-alive undici Pool (the
// LANDSCAPE's "bare Node http + undici proxy"), relaying the answer chunk by chunk (SSE too). No
// parsing, routing, metrics or logs.
//   node bench/bare-proxy.ts http://127.0.0.1:PORT/v1
// Prints {"origin": "http://127.0.0.1:PORT"} once listening; serves until SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import process from 'node:process';
import { Pool } from 'undici';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1/v1');
const pool = new Pool(upstream.origin, { connections: 256 });

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    pool
      .request({
        path: `${upstream.pathname}${(req.url ?? '/').replace(/^\/v1/, '')}`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: req.headers.authorization ?? '',
        },
        body: Buffer.concat(chunks),
      })
      .then(async (response) => {
        // Relayed chunk by chunk, as they arrive: streams (SSE) included.
        const length = response.headers['content-length'];
        res.writeHead(response.statusCode, {
          'content-type': String(response.headers['content-type'] ?? 'application/json'),
          ...(length === undefined ? {} : { 'content-length': String(length) }),
        });
        for await (const chunk of response.body as AsyncIterable<Buffer>) res.write(chunk);
        res.end();
      })
      .catch(() => {
        res.writeHead(502).end();
      });
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ origin: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close().then(() => process.exit(0));
});
