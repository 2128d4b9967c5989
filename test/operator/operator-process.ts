// `switchyard operator` as a process, the way a Deployment runs it: started, waited for until
// /readyz answers, stopped with SIGTERM.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startSwitchyard } from '../cli/run-switchyard.ts';
import { freePort } from '../harness/ports.ts';

/**
 * Runs `switchyard operator ARGS` (health server on a free loopback port, after ARGS so it wins)
 * until it is ready, then stops it with SIGTERM and expects exit status 0. Fails at once, with
 * its output, if it exits before it is ready. Returns what it printed.
 */
export async function operatorStartsAndStops(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 30_000,
): Promise<string> {
  const port = await freePort();
  const operator = startSwitchyard(
    ['operator', ...args, '--port', String(port), '--host', '127.0.0.1'],
    undefined,
    env,
  );
  let exited: number | null | undefined;
  void operator.exited.then((code) => (exited = code));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      assert.equal(
        exited,
        undefined,
        `the operator exited ${String(exited)}:\n${operator.output()}`,
      );
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (res?.status === 200) break;
      assert.ok(Date.now() < deadline, `not ready after ${timeoutMs} ms:\n${operator.output()}`);
      await delay(100);
    }
  } finally {
    operator.child.kill('SIGTERM');
  }
  assert.equal(await operator.exited, 0, operator.output());
  return operator.output();
}
