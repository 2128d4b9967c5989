import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { pythonWithOpenAI } from '../harness/python.ts';
import { startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;

before(async () => {
  fx = await startProxyFixture();
});
after(async () => {
  await fx.close();
});

function runPython(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(pythonWithOpenAI(), [script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the official OpenAI Python SDK works against the proxy: completions, streams with usage, typed errors', async () => {
  const result = await runPython('test/proxy/python/sdk_client.py', [fx.proxy.url]);
  assert.equal(result.code, 0, result.stderr);
  const seen = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.ok(typeof seen['content'] === 'string' && seen['content'].length > 0);
  assert.equal(seen['finish_reason'], 'stop');
  assert.ok(Number(seen['prompt_tokens']) > 0);
  assert.equal(seen['provider_header'], 'cheap');
  assert.ok(typeof seen['stream_text'] === 'string' && seen['stream_text'].length > 0);
  assert.ok(Number(seen['stream_usage']) > 0);
  assert.equal(seen['not_found'], 404);
  assert.match(String(seen['request_id']), /^req_[0-9a-f]{32}$/, "the SDK's _request_id");
  assert.match(String(seen['error_request_id']), /^req_[0-9a-f]{32}$/, 'APIError.request_id');
  assert.equal(seen['bad_request'], 400);
});
