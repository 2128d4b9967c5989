import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promClient } from '../lean-imports.ts';
import { Chargeback } from './chargeback.ts';

function series(text: string, metric: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${metric}{`));
}

test('spend and tokens are counted per tenant and per feature, top values by spend plus other', async () => {
  const registry = new promClient.Registry();
  const chargeback = new Chargeback(registry, { tenants: 2, features: 1 });
  try {
    const entry = (tenant: string | undefined, feature: string | undefined, costUSD: number) =>
      chargeback.record({ tenant, feature, costUSD, inputTokens: 10, outputTokens: 5 });
    entry('search', 'summaries', 0.5);
    entry('billing', 'chat', 0.1);
    entry('intern-1', 'chat', 0.01);
    entry(undefined, undefined, 0.02);
    const text = await registry.metrics();
    assert.deepEqual(series(text, 'switchyard_tenant_cost_usd_total').sort(), [
      'switchyard_tenant_cost_usd_total{tenant="billing"} 0.1',
      'switchyard_tenant_cost_usd_total{tenant="other"} 0.03',
      'switchyard_tenant_cost_usd_total{tenant="search"} 0.5',
    ]);
    assert.deepEqual(series(text, 'switchyard_feature_cost_usd_total').sort(), [
      'switchyard_feature_cost_usd_total{feature="other"} 0.13',
      'switchyard_feature_cost_usd_total{feature="summaries"} 0.5',
    ]);
    assert.ok(text.includes('switchyard_tenant_tokens_total{tenant="search",type="input"} 10'));
    assert.ok(text.includes('switchyard_tenant_tokens_total{tenant="other",type="output"} 10'));
  } finally {
    chargeback.stop();
  }
});

test('a tenant that loses its series to a heavier one disappears from /metrics', async () => {
  const registry = new promClient.Registry();
  const chargeback = new Chargeback(registry, { tenants: 1, features: 1 });
  try {
    chargeback.record({
      tenant: 'small',
      feature: 'f',
      costUSD: 0.01,
      inputTokens: 1,
      outputTokens: 1,
    });
    chargeback.record({ tenant: 'big', feature: 'f', costUSD: 1, inputTokens: 1, outputTokens: 1 });
    const text = await registry.metrics();
    assert.ok(text.includes('tenant="big"'));
    assert.ok(!text.includes('tenant="small"'));
  } finally {
    chargeback.stop();
  }
});

test('10,000 distinct tenants and features keep /metrics to top N plus other', async () => {
  const registry = new promClient.Registry();
  const chargeback = new Chargeback(registry);
  try {
    for (let i = 0; i < 10_000; i++)
      chargeback.record({
        tenant: `tenant-${i}`,
        feature: `feature-${i}`,
        costUSD: 0.0001 * (i % 7),
        inputTokens: 100,
        outputTokens: 50,
      });
    const text = await registry.metrics();
    assert.ok(series(text, 'switchyard_tenant_cost_usd_total').length <= 21);
    assert.ok(series(text, 'switchyard_feature_cost_usd_total').length <= 21);
    assert.ok(series(text, 'switchyard_tenant_tokens_total').length <= 42);
    assert.ok(Buffer.byteLength(text) < 20_000, `${Buffer.byteLength(text)} bytes`);
  } finally {
    chargeback.stop();
  }
});
