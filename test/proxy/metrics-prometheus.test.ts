import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startPrometheus, type Prometheus } from '../harness/prometheus.ts';
import { startProxyFixture, TEST_API_KEY, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let prometheus: Prometheus;

before(async () => {
  fx = await startProxyFixture();
  const target = new URL(fx.proxy.metricsUrl ?? '');
  prometheus = await startPrometheus({ scrapeTargets: [target.host], scrapeIntervalMs: 500 });
});
after(async () => {
  await prometheus.stop();
  await fx.close();
});

test('a real Prometheus scrapes request, token, cost and config metrics with bounded labels', async () => {
  const client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'x', maxRetries: 0 });
  for (let i = 0; i < 5; i++)
    await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: `hello ${i}` }],
    });
  fx.fakes.cheap.script({ status: 503 });
  await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'fail over please' }],
  });
  const stream = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'stream' }],
    stream: true,
  });
  for await (const _ of stream) void _;

  const requests = await prometheus.waitFor(
    'sum by (route) (switchyard_requests_total{route="auto",code="200"})',
    (r) => Number(r.result[0]?.value[1]) >= 7,
    15_000,
  );
  assert.equal(requests.result[0]?.metric['route'], 'auto');
  const checks: [string, (v: number) => boolean][] = [
    ['sum(switchyard_tokens_total{type="input"})', (v) => v > 0],
    ['sum(switchyard_cost_usd_total)', (v) => v > 0],
    ['sum(switchyard_cost_avoided_usd_total{route="auto"})', (v) => v > 0],
    [
      'sum(switchyard_upstream_attempts_total{provider="cheap",outcome=~"server_error|overloaded"})',
      (v) => v === 1,
    ],
    ['sum(switchyard_fallbacks_total{route="auto"})', (v) => v === 1],
    ['sum(switchyard_request_duration_seconds_count{route="auto"})', (v) => v >= 7],
    ['sum(switchyard_time_to_first_token_seconds_count{route="auto"})', (v) => v >= 1],
    ['sum(switchyard_overhead_seconds_count)', (v) => v >= 7],
    ['count(switchyard_config_info == 1)', (v) => v === 1],
  ];
  for (const [promql, ok] of checks) {
    const result = await prometheus.query(promql);
    const value = Number(result.result[0]?.value[1]);
    assert.ok(ok(value), `${promql} = ${value}`);
  }
  const hash = (await prometheus.query('switchyard_config_info')).result[0]?.metric['hash'];
  assert.equal(hash, fx.proxy.ctx.config.current?.config.configHash);
});

test('the metrics endpoint never shows an API key or prompt text', async () => {
  const text = await (await fetch(fx.proxy.metricsUrl ?? '')).text();
  assert.ok(text.includes('switchyard_requests_total'));
  assert.ok(!text.includes(TEST_API_KEY));
  assert.ok(!text.includes('hello 1'));
});
