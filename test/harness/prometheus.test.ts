// The Prometheus harness scrapes a real target and answers PromQL about it.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startPrometheus } from './prometheus.ts';

test('startPrometheus scrapes a local /metrics endpoint and answers queries', async () => {
  let requests = 0;
  const target = createServer((req, res) => {
    requests++;
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      '# HELP switchyard_harness_requests_total Scrapes served.\n' +
        '# TYPE switchyard_harness_requests_total counter\n' +
        `switchyard_harness_requests_total{route="test"} ${requests}\n`,
    );
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const { port } = target.address() as AddressInfo;
  const prometheus = await startPrometheus({
    scrapeTargets: [`127.0.0.1:${port}`],
    scrapeIntervalMs: 200,
  });
  try {
    const up = await prometheus.waitFor(
      'up{job="switchyard"}',
      (result) => result.result[0]?.value[1] === '1',
      20_000,
    );
    assert.equal(up.result[0]?.metric['instance'], `127.0.0.1:${port}`);
    const counter = await prometheus.waitFor(
      'switchyard_harness_requests_total{route="test"}',
      (result) => Number(result.result[0]?.value[1] ?? 0) >= 2,
      20_000,
    );
    assert.equal(counter.resultType, 'vector');
    assert.equal(counter.result[0]?.metric['job'], 'switchyard');
    await assert.rejects(prometheus.query('this is not promql'), /failed/);
  } finally {
    await prometheus.stop();
    await new Promise<void>((resolve) => target.close(() => resolve()));
  }
});
