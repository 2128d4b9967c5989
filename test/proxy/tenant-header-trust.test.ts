// Without client keys the x-switchyard-tenant header separates cache entries, so whoever may set
// it may read that tenant's cached answers. With --trust-tenant-header-from only the listed
// sources (the gateway that sets it) can; from anyone else the header is dropped. The gateway is
// 127.0.0.2 here, the other client 127.0.0.1: both loopback, two source addresses.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { TenantTrust } from '../../proxy/http/tenant-trust.ts';
import { policy, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;

before(async () => {
  fx = await startProxyFixture({
    proxy: { tenantHeaderTrust: TenantTrust.parse('127.0.0.2/32') },
  });
  fx.apply({
    policies: [
      policy('cached', {
        model: 'cached',
        tiers: [{ name: 'only', targets: [{ provider: 'cheap', model: 'small' }] }],
        cache: { exact: { ttlSeconds: 60 } },
      }),
    ],
  });
});
after(async () => {
  await fx.close();
});

function ask(from: string, tenant: string): Promise<{ cache: string; requestId: string }> {
  const body = JSON.stringify({
    model: 'cached',
    messages: [{ role: 'user', content: 'the quarterly numbers, please' }],
  });
  const url = new URL(`${fx.proxy.url}/chat/completions`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'x-switchyard-tenant': tenant },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            cache: String(res.headers['x-switchyard-cache']),
            requestId: String(res.headers['x-request-id']),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('a tenant named by a trusted source has its own cache; another client claiming it does not read it', async () => {
  assert.equal((await ask('127.0.0.2', 'team-a')).cache, 'miss');
  assert.equal((await ask('127.0.0.2', 'team-a')).cache, 'hit', 'the gateway’s tenant is honoured');
  const spoof = await ask('127.0.0.1', 'team-a');
  assert.equal(
    spoof.cache,
    'miss',
    'a claimed tenant from an untrusted address reads nothing of it',
  );
  const line = fx.logs.find((l) => l['requestId'] === spoof.requestId);
  assert.equal(line?.['tenant'], undefined, 'and it is not logged as that tenant');
});
