import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { policy, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;

const probed = (name: string, baseURL: string) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelProvider',
  metadata: { name, namespace: 'ai', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    api: 'openai',
    baseURL,
    auth: { secretRef: { name: 'keys' } },
    healthCheck: { enabled: true, intervalSeconds: 3600 },
    circuitBreaker: { consecutiveFailures: 2 },
    models: [
      { name: 'm', contextWindow: 8000, pricing: { inputPerMillion: 1, outputPerMillion: 1 } },
    ],
  },
});

before(async () => {
  fx = await startProxyFixture();
  fx.apply({
    providers: [probed('alive', fx.fakes.cheap.url), probed('dead', 'http://127.0.0.1:9/v1')],
    policies: [
      policy('probed', {
        model: 'probed',
        tiers: [
          {
            name: 'only',
            strategy: 'ordered',
            targets: [
              { provider: 'dead', model: 'm' },
              { provider: 'alive', model: 'm' },
            ],
          },
        ],
      }),
    ],
  });
});
after(async () => {
  await fx.close();
});

test("active probes list models without spending tokens, and a dead provider's circuit opens before traffic finds it", async () => {
  fx.fakes.cheap.reset();
  await fx.proxy.prober.probeAll();
  await fx.proxy.prober.probeAll();
  assert.equal(fx.proxy.ctx.health.health('dead/m').circuit, 'open');
  assert.equal(fx.proxy.ctx.health.health('alive/m').circuit, 'closed');
  const probes = fx.fakes.cheap.requests;
  assert.equal(probes.length, 2);
  assert.ok(probes.every((r) => r.method === 'GET' && r.operation === 'models'));
  const metrics = await (await fetch(fx.proxy.metricsUrl ?? '')).text();
  assert.match(metrics, /switchyard_health_probes_total\{provider="dead",outcome="failed"\} 2/);
  assert.match(metrics, /switchyard_circuit_state\{provider="dead",model="m"\} 2/);
  const response = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'probed', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(response.headers.get('x-switchyard-provider'), 'alive');
  assert.equal(
    response.headers.get('x-switchyard-attempts'),
    '1',
    'the open circuit was skipped, not tried',
  );
});

test('observed latency per target is exported at scrape time', async () => {
  const metrics = await (await fetch(fx.proxy.metricsUrl ?? '')).text();
  assert.match(
    metrics,
    /switchyard_target_latency_seconds\{provider="alive",model="m",kind="total",quantile="0.95"\} [0-9.e-]+/,
  );
});
