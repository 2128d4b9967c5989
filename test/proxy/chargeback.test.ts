// Chargeback through a real proxy: spend and tokens per tenant and per x-switchyard-feature,
// the top values by spend named and the rest as "other", adding up to the proxy's total spend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let client: OpenAI;

before(async () => {
  fx = await startProxyFixture({ proxy: { chargeback: { tenants: 2, features: 2 } } });
  client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'unused', maxRetries: 0 });
});
after(async () => {
  await fx?.close();
});

async function ask(content: string, headers: Record<string, string>): Promise<void> {
  await client.chat.completions.create(
    { model: 'auto', messages: [{ role: 'user', content }] },
    { headers },
  );
}

/** `labels → value` of every series of one metric in the exposition text. */
function samples(text: string, metric: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${metric}\\{(.*)\\} (\\S+)$`).exec(line);
    if (match !== null) found.set(match[1]!, Number(match[2]));
  }
  return found;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

test('spend per tenant and feature: the two biggest named, the rest as other, adding up to the total', async () => {
  // search asks the premium tier (a rule), the others the budget tier.
  for (let i = 0; i < 3; i++)
    await ask(`explain step-by-step ${i}`, {
      'x-switchyard-tenant': 'search',
      'x-switchyard-feature': 'summaries',
    });
  for (let i = 0; i < 2; i++)
    await ask(`hello ${i}`, { 'x-switchyard-tenant': 'billing', 'x-switchyard-feature': 'chat' });
  await ask('hello intern', {
    'x-switchyard-tenant': 'intern',
    'x-switchyard-feature': 'search box',
  });
  await ask('hello nobody', {});
  const text = await (await fetch(fx.proxy.metricsUrl ?? '')).text();

  const tenants = samples(text, 'switchyard_tenant_cost_usd_total');
  assert.deepEqual([...tenants.keys()].sort(), [
    'tenant="billing"',
    'tenant="other"',
    'tenant="search"',
  ]);
  const total = sum(samples(text, 'switchyard_cost_usd_total').values());
  assert.ok(total > 0);
  assert.ok(Math.abs(sum(tenants.values()) - total) < 1e-12, 'tenants add up to the total');
  assert.ok(tenants.get('tenant="search"')! > tenants.get('tenant="billing"')!);

  const features = samples(text, 'switchyard_feature_cost_usd_total');
  assert.deepEqual([...features.keys()].sort(), [
    'feature="chat"',
    'feature="other"',
    'feature="summaries"',
  ]);
  assert.ok(Math.abs(sum(features.values()) - total) < 1e-12, 'features add up to the total');

  const inputOf = (series: Map<string, number>): number =>
    sum([...series].filter(([labels]) => labels.includes('type="input"')).map(([, v]) => v));
  assert.equal(
    inputOf(samples(text, 'switchyard_tenant_tokens_total')),
    inputOf(samples(text, 'switchyard_tokens_total')),
  );
  assert.ok(
    !text.includes('search box'),
    'a value that is not among the top never becomes a label',
  );
});

test('a tenant that outspends a named one takes its series; what the old one spent is not moved', async () => {
  const before = samples(
    await (await fetch(fx.proxy.metricsUrl ?? '')).text(),
    'switchyard_tenant_cost_usd_total',
  );
  for (let i = 0; i < 6; i++)
    await ask(`explain step-by-step, big ${i}`, { 'x-switchyard-tenant': 'big-spender' });
  const after = samples(
    await (await fetch(fx.proxy.metricsUrl ?? '')).text(),
    'switchyard_tenant_cost_usd_total',
  );
  assert.ok(after.has('tenant="big-spender"'));
  assert.ok(!after.has('tenant="billing"'), 'the lightest named tenant lost its series');
  assert.ok(after.has('tenant="search"'));
  assert.ok(after.get('tenant="other"')! >= before.get('tenant="other"')!);
});
