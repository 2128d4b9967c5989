// The Node load generator, used for throughput when wrk is not installed (or with --node-load):
//   node bench/load-generator.ts '<LoadSpec as JSON>'
// Closed loop: `connections` keep-alive connections, each sending its next request as soon as the
// previous answer ended, for `durationS` seconds. Prints one `BENCH_LOAD {...}` line (LoadResult).
import process from 'node:process';
import { Pool } from 'undici';
import { LOAD_RESULT_PREFIX, type LoadResult, type LoadSpec } from './lib/load.ts';
import { percentile } from './lib/stats.ts';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const url = new URL(spec.url);
const pool = new Pool(url.origin, {
  connections: spec.connections,
  pipelining: 1,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
});
const latencies: number[] = [];
let errors = 0;
let non2xx = 0;
const started = performance.now();
const endAt = started + spec.durationS * 1000;

async function worker(): Promise<void> {
  while (performance.now() < endAt) {
    const began = performance.now();
    try {
      const response = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
      });
      await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      if (response.statusCode >= 400) non2xx += 1;
      latencies.push(performance.now() - began);
    } catch {
      errors += 1;
    }
  }
}

await Promise.all(Array.from({ length: spec.connections }, worker));
const elapsedS = (performance.now() - started) / 1000;
await pool.close();
latencies.sort((a, b) => a - b);
const result: LoadResult = {
  tool: 'node',
  connections: spec.connections,
  requests: latencies.length,
  rps: latencies.length / elapsedS,
  p50Ms: percentile(latencies, 50),
  p90Ms: percentile(latencies, 90),
  p99Ms: percentile(latencies, 99),
  maxMs: latencies.at(-1) ?? Number.NaN,
  errors,
  non2xx,
};
process.stdout.write(`${LOAD_RESULT_PREFIX}${JSON.stringify(result)}\n`);
