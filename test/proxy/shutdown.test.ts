import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxyFixture } from './proxy-fixture.ts';

test('closing the proxy lets a request in flight finish and refuses new connections', async () => {
  const fx = await startProxyFixture();
  try {
    fx.fakes.cheap.script({ latencyMs: 400 });
    const inFlight = fetch(`${fx.proxy.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'slow one' }] }),
    });
    await fx.fakes.cheap.waitForRequests(1);
    const closing = fx.proxy.close();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { object: string }).object, 'chat.completion');
    await closing;
    await assert.rejects(fetch(`${fx.proxy.url}/models`));
  } finally {
    await Promise.all(Object.values(fx.fakes).map((f) => f.close()));
  }
});
