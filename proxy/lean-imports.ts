// The modules the proxy loads through require() instead of `import`, each to keep what it never
// uses out of every proxy's memory (measured with bench/memory.ts; see docs/performance.md).
import Module, { createRequire } from 'node:module';
import type * as NodeHttp from 'node:http';
import type * as PromClient from 'prom-client';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

/**
 * `node:http`. An ESM import builds a namespace from every export, which runs http's lazy
 * `WebSocket`, `CloseEvent` and `MessageEvent` getters, and those load Node's bundled undici
 * with http2, tls and worker_threads: ~90 internal modules nobody here uses. require() does not.
 */
export const nodeHttp = require('node:http') as typeof NodeHttp;

installLazyHttp2Client(); // before undici's client.js, which requires client-h2.js at its top

/**
 * undici's connection pool, without undici's index: the index also loads fetch, WebSocket,
 * EventSource, the cache and the mock agents. The one thing the index does that a pool needs is
 * mixing `request()` and its siblings into Dispatcher.prototype; this repeats it (the same
 * assignment, so harmless if the index loads too). These paths are undici's internals, pinned by
 * the lockfile; test/proxy/lean-imports.test.ts checks them in a fresh process.
 */
export const UndiciPool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
Object.assign(
  (require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher).prototype,
  require('undici/lib/api/index.js'),
);

/**
 * The parts of prom-client the proxy uses, without its index: the index also loads the
 * Pushgateway client (https, tls, zlib and Node's zip reader) and the cluster aggregator: ~40
 * internal modules, ~6 MB of RSS in a bare process and ~1 MB in the proxy, which needs some of
 * them anyway. Same version pin and test as undici's above.
 */
export const promClient = {
  Registry: require('prom-client/lib/registry.js') as typeof PromClient.Registry,
  Counter: require('prom-client/lib/counter.js') as typeof PromClient.Counter,
  Gauge: require('prom-client/lib/gauge.js') as typeof PromClient.Gauge,
  Histogram: require('prom-client/lib/histogram.js') as typeof PromClient.Histogram,
  collectDefaultMetrics:
    require('prom-client/lib/defaultMetrics.js') as typeof PromClient.collectDefaultMetrics,
};

/**
 * undici's HTTP/2 client, loaded when an upstream first negotiates HTTP/2 instead of with the
 * pool: its module requires `node:http2` at the top, and http2 with what it pulls in is ~5 MB of
 * RSS in a proxy whose upstreams may all speak HTTP/1.1. undici's client.js keeps a reference to
 * this module's one export, `connectH2(client, socket)`; the stand-in put in the require cache
 * first loads the real module on its first call and hands every call to it.
 */
function installLazyHttp2Client(): void {
  const path = require.resolve('undici/lib/dispatcher/client-h2.js');
  if (require.cache[path] !== undefined) return;
  type ConnectH2 = (...args: unknown[]) => unknown;
  let real: ConnectH2 | undefined;
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = function connectH2(...args: unknown[]): unknown {
    if (real === undefined) {
      delete require.cache[path];
      real = require(path) as ConnectH2;
    }
    return real(...args);
  };
  require.cache[path] = standIn;
}
