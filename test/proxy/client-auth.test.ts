import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ClientAuth } from '../../proxy/http/client-auth.ts';
import { startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;

before(async () => {
  fx = await startProxyFixture();
  fx.proxy.ctx.auth = new ClientAuth([{ name: 'team-a', key: 'sk-team-a-1234' }]);
});
after(async () => {
  await fx.close();
});

test('with client keys configured, a missing or wrong key is a 401 and the right one is served', async () => {
  const ask = (apiKey: string) =>
    new OpenAI({ baseURL: fx.proxy.url, apiKey, maxRetries: 0 }).chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'hi' }],
    });
  await assert.rejects(ask('sk-wrong'), OpenAI.AuthenticationError);
  const claiming = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-wrong', 'x-switchyard-tenant': 'team-a' },
    body: '{}',
  });
  assert.equal(claiming.status, 401);
  const refused = fx.logs.find((l) => l['requestId'] === claiming.headers.get('x-request-id'));
  assert.equal(refused?.['status'], 401);
  assert.equal(refused?.['tenant'], undefined, 'a refused caller’s claimed tenant is not logged');
  const response = await fetch(`${fx.proxy.url}/chat/completions`, { method: 'POST', body: '{}' });
  assert.equal(response.status, 401);
  const answer = await ask('sk-team-a-1234');
  assert.equal(answer.object, 'chat.completion');
  // The key's name is the tenant in the log line, whatever tenant header the client sends.
  const spoofing = new OpenAI({
    baseURL: fx.proxy.url,
    apiKey: 'sk-team-a-1234',
    maxRetries: 0,
    defaultHeaders: { 'x-switchyard-tenant': 'team-b' },
  });
  const { request_id } = await spoofing.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content: 'whose?' }] })
    .withResponse();
  assert.equal(fx.logs.find((l) => l['requestId'] === request_id)?.['tenant'], 'team-a');
  assert.ok(!JSON.stringify(fx.logs).includes('sk-team-a-1234'), 'keys never reach the logs');
});

test('keys are read from NAME:KEY lines, and the key decides the tenant', () => {
  const auth = new ClientAuth([{ name: 'team-b', key: 'k2' }]);
  assert.equal(auth.authenticate({ authorization: 'Bearer k2' }), 'team-b');
  assert.throws(() => auth.authenticate({}), /missing API key/);
  assert.equal(new ClientAuth([]).authenticate({}), undefined, 'no keys: open');
});

test('with client keys configured, /v1/models needs a key too; the probes stay open', async () => {
  const models = (apiKey?: string) =>
    fetch(`${fx.proxy.url}/models`, {
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
    });
  assert.equal((await models()).status, 401);
  assert.equal((await models('sk-wrong')).status, 401);
  const listed = await models('sk-team-a-1234');
  assert.equal(listed.status, 200);
  await listed.text();
  const origin = new URL(fx.proxy.url).origin;
  assert.equal((await fetch(`${origin}/healthz`)).status, 200);
  assert.equal((await fetch(`${origin}/readyz`)).status, 200);
});
