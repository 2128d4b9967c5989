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

/** Why a fetch failed: the innermost error's code (ECONNREFUSED, UND_ERR_SOCKET, …). */
function failureCode(error: unknown): string {
  let code = 'unknown';
  for (let at: unknown = error; at instanceof Error; at = at.cause) {
    code = (at as NodeJS.ErrnoException).code ?? code;
  }
  return code;
}

test('closing the proxy under back-to-back keep-alive traffic drops no request on an open connection', async () => {
  // A rolling update sends SIGTERM while clients still hold keep-alive connections to the pod
  // (a ClusterIP balances connections, not requests). Closing such a connection between two of
  // its requests races with the client's next one, which then fails: the client must instead be
  // told to close, by `Connection: close` on its next answer.
  const fx = await startProxyFixture();
  const failures: string[] = [];
  let answered = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      try {
        const res = await fetch(`${fx.proxy.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
        });
        await res.arrayBuffer();
        answered++;
      } catch (error) {
        // A refused new connection is what a closed server does; a pod's clients go elsewhere.
        if (failureCode(error) === 'ECONNREFUSED') return;
        failures.push(failureCode(error));
      }
    }
  };
  try {
    const workers = Array.from({ length: 8 }, worker);
    // Close only once every connection carries traffic, however loaded the machine is.
    while (answered < 40 && failures.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await fx.proxy.close();
    stopped = true;
    await Promise.all(workers);
    assert.deepEqual(failures, []);
  } finally {
    stopped = true;
    await Promise.all(Object.values(fx.fakes).map((f) => f.close()));
  }
});
