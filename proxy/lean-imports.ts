// The modules the proxy loads through require() instead of `import`, each to keep what it never
// uses out of every proxy's memory (measured with bench/memory.ts; see docs/performance.md).
import { createRequire } from 'node:module';
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
 * Pushgateway client (https, tls, zlib and Node's zip reader) and the cluster aggregator, ~40
 * internal modules and ~6 MB of RSS in every proxy. Same version pin and test as undici's above.
 */
export const promClient = {
  Registry: require('prom-client/lib/registry.js') as typeof PromClient.Registry,
  Counter: require('prom-client/lib/counter.js') as typeof PromClient.Counter,
  Gauge: require('prom-client/lib/gauge.js') as typeof PromClient.Gauge,
  Histogram: require('prom-client/lib/histogram.js') as typeof PromClient.Histogram,
  collectDefaultMetrics:
    require('prom-client/lib/defaultMetrics.js') as typeof PromClient.collectDefaultMetrics,
};
