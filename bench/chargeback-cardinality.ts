// `node bench/chargeback-cardinality.ts [--tenants 10000]`: how big /metrics gets when every
// request comes from a different tenant and names a different feature. The chargeback metrics
// keep the top N by spend plus "other", so the answer must not grow with the number of tenants:
// the size after is compared with the size before the tenant traffic, in the same run, with the
// default N (20) and the largest the CLI accepts (1000). Goal: ≤ 1 MB with 10,000 tenants.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { Client, endpoint } from './lib/http.ts';
import { writeManifests } from './lib/manifests.ts';
import { killAllNow, stopAll } from './lib/processes.ts';
import { startFake, startSwitchyard } from './lib/services.ts';

const GOAL_BYTES = 1024 * 1024;

async function metricsText(url: string): Promise<string> {
  return (await fetch(url)).text();
}

function seriesOf(text: string, metric: string): number {
  return text.split('\n').filter((line) => line.startsWith(`${metric}{`)).length;
}

async function sendTenants(origin: string, tenants: number): Promise<void> {
  const connections = 32;
  const clients = Array.from(
    { length: connections },
    () => new Client(endpoint('switchyard', origin, 'fast')),
  );
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      for (let i = next++; i < tenants; i = next++) {
        // post() throws unless the answer is a 200.
        await client.post({
          'x-switchyard-tenant': `tenant-${i}`,
          'x-switchyard-feature': `feature-${i}`,
        });
      }
    }),
  );
  await Promise.all(clients.map((client) => client.close()));
}

async function measure(top: number, tenants: number, fakeUrl: string): Promise<boolean> {
  const manifests = writeManifests(
    [{ name: 'p1', baseURL: fakeUrl }],
    [{ alias: 'fast', providers: ['p1'] }],
  );
  const proxy = await startSwitchyard({
    manifests,
    quiet: true,
    env: {
      ...process.env,
      SWITCHYARD_CHARGEBACK_TOP_TENANTS: String(top),
      SWITCHYARD_CHARGEBACK_TOP_FEATURES: String(top),
    },
  });
  try {
    await sendTenants(proxy.origin, 10); // every metric family present before the baseline
    const before = Buffer.byteLength(await metricsText(proxy.metricsUrl));
    const started = performance.now();
    await sendTenants(proxy.origin, tenants);
    const seconds = (performance.now() - started) / 1000;
    const text = await metricsText(proxy.metricsUrl);
    const after = Buffer.byteLength(text);
    const ok = after <= GOAL_BYTES;
    process.stdout.write(
      `top ${top}: ${tenants} distinct tenants and features in ${seconds.toFixed(1)} s; ` +
        `/metrics ${(before / 1024).toFixed(1)} KiB before, ${(after / 1024).toFixed(1)} KiB after ` +
        `(${(after / before).toFixed(2)}×); series: ` +
        `${seriesOf(text, 'switchyard_tenant_cost_usd_total')} tenant, ` +
        `${seriesOf(text, 'switchyard_feature_cost_usd_total')} feature cost; ` +
        `${ok ? 'PASS' : 'MISS'} (≤ 1 MB)\n`,
    );
    return ok;
  } finally {
    await proxy.process.stop();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { tenants: { type: 'string', default: '10000' } } });
  const tenants = Number(values.tenants);
  const fake = await startFake();
  try {
    let ok = true;
    for (const top of [20, 1000]) ok = (await measure(top, tenants, fake.url)) && ok;
    return ok ? 0 : 1;
  } finally {
    await fake.process.stop();
  }
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`chargeback-cardinality: ${(error as Error).stack ?? String(error)}\n`);
    await stopAll();
    killAllNow();
    process.exit(1);
  });
