// Driving the fakes: the script queue, per-request header steps, the HTTP control endpoints,
// the CLI, presets, and the deterministic helpers tests rely on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { splitText } from './chunking.ts';
import { embedText } from './embedding.ts';
import { FAKE_PRESETS, presetStep } from './presets.ts';
import { synthesizeReply } from './reply-text.ts';
import { startFakeProvider, type FakeProvider, type RecordedRequest } from './server.ts';

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

async function chat(fake: FakeProvider, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: BODY,
  });
}

async function replyOf(response: Response): Promise<string> {
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]!.message.content;
}

describe('script queue and per-request steps', () => {
  let fake: FakeProvider;

  before(async () => {
    fake = await startFakeProvider({ api: 'openai', defaultScript: { reply: 'default' } });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  test('queued steps answer in order, `times` repeats one, then the default applies', async () => {
    fake.script([{ reply: 'first' }, { reply: 'second', times: 2 }]);
    assert.equal(fake.pendingSteps, 3);
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await replyOf(await chat(fake)));
    assert.deepEqual(replies, ['first', 'second', 'second', 'default']);
    assert.equal(fake.pendingSteps, 0);
  });

  test('a scripted step is laid over the default field by field', async () => {
    fake.setDefault({ latencyMs: 1, reply: 'new default' });
    fake.script({ status: 503 });
    const response = await chat(fake);
    assert.equal(response.status, 503);
    assert.deepEqual(fake.lastRequest?.step, { latencyMs: 1, reply: 'new default', status: 503 });
    assert.equal(await replyOf(await chat(fake)), 'new default');
    fake.reset();
    assert.equal(await replyOf(await chat(fake)), 'default');
  });

  test('the x-fake-script header answers one request without consuming the queue', async () => {
    fake.script({ reply: 'queued' });
    const overridden = await chat(fake, {
      'x-fake-script': JSON.stringify({ reply: 'from header' }),
    });
    assert.equal(await replyOf(overridden), 'from header');
    assert.equal(await replyOf(await chat(fake)), 'queued');
  });

  test('an invalid x-fake-script header is a loud 400 naming the problem', async () => {
    const response = await chat(fake, { 'x-fake-script': '{"stauts":500}' });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'fake_script_error');
    assert.match(body.error.message, /stauts/);
  });

  test('model listings (health probes) do not consume scripted steps', async () => {
    fake.script({ status: 429 });
    const models = await fetch(`${fake.url}/models`);
    assert.equal(models.status, 200);
    assert.equal((await chat(fake)).status, 429);
  });

  test('waitForRequests resolves once enough requests arrived, and times out otherwise', async () => {
    const waiting = fake.waitForRequests(2);
    await chat(fake);
    await chat(fake);
    const requests: RecordedRequest[] = await waiting;
    assert.equal(requests.length, 2);
    assert.deepEqual(
      requests.map((request) => request.seq),
      [requests[0]!.seq, requests[0]!.seq + 1],
    );
    await assert.rejects(fake.waitForRequests(5, 50), /2 of 5 requests/);
  });

  test('unknown routes get the provider 404 and are still recorded', async () => {
    const response = await fetch(`${fake.url}/completions`, { method: 'POST', body: BODY });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { message: string } };
    assert.equal(body.error.message, 'Invalid URL (POST /v1/completions)');
    assert.equal(fake.lastRequest?.operation, 'unknown');
  });

  test('a body that is not JSON gets the provider parse error', async () => {
    const response = await fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      body: '{"model":',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /could not parse the JSON body/);
  });
});

describe('HTTP control endpoints', () => {
  let fake: FakeProvider;
  const control = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${fake.origin}/__fake/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  before(async () => {
    fake = await startFakeProvider({ api: 'anthropic', name: 'claude-fake' });
  });
  after(() => fake.close());

  test('script, requests, default, reset and health work over HTTP', async () => {
    const queued = await control('POST', 'script', [{ status: 529 }, { reply: 'ok' }]);
    assert.deepEqual(await queued.json(), { queued: 2, pending: 2 });
    const headers = { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
    const body = JSON.stringify({
      model: 'c',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    const send = (): Promise<Response> =>
      fetch(`${fake.url}/v1/messages`, { method: 'POST', headers, body });
    assert.equal((await send()).status, 529);
    assert.equal((await send()).status, 200);

    const recorded = (await (await control('GET', 'requests')).json()) as RecordedRequest[];
    assert.equal(recorded.length, 2);
    assert.deepEqual(recorded[0]!.step, { status: 529 });
    assert.equal(recorded[1]!.headers['anthropic-version'], '2023-06-01');

    assert.equal((await control('POST', 'default', { status: 500 })).status, 200);
    assert.equal((await send()).status, 500);

    const health = (await (await control('GET', 'health')).json()) as Record<string, unknown>;
    assert.equal(health.name, 'claude-fake');
    assert.equal(health.api, 'anthropic');
    assert.equal(health.requests, 3);

    assert.equal((await control('POST', 'reset')).status, 200);
    assert.equal((await send()).status, 200);
    assert.equal(fake.requests.length, 1);
  });

  test('an invalid step is rejected with the field named', async () => {
    const response = await control('POST', 'script', { latencyMs: -1 });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /latencyMs/);
    assert.equal(fake.pendingSteps, 0);
  });
});

describe('CLI', () => {
  test('prints its URL on one line, serves, and exits on SIGTERM', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [main, '--preset', 'local', '--port', '0', '--ttft-ms', '0'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, 'line')) as [string];
      const started = JSON.parse(line) as { name: string; api: string; url: string; port: number };
      assert.equal(started.api, 'openai');
      assert.equal(started.name, 'fake-local');
      assert.equal(started.url, `http://127.0.0.1:${started.port}/v1`);
      const health = await fetch(`http://127.0.0.1:${started.port}/__fake/health`);
      assert.equal(((await health.json()) as { ok: boolean }).ok, true);
      const response = await fetch(`${started.url}/chat/completions`, {
        method: 'POST',
        body: BODY,
      });
      assert.equal(response.status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });

  test('rejects an unknown API', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, [main, '--api', 'cohere'], { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2);
  });
});

describe('presets and deterministic helpers', () => {
  test('every well-known provider has a preset that becomes a timing step', () => {
    for (const name of [
      'openai',
      'anthropic',
      'gemini',
      'deepseek',
      'qwen',
      'mistral',
      'local',
    ] as const) {
      const step = presetStep(name);
      assert.equal(step.ttftMs, FAKE_PRESETS[name].ttftMs);
      assert.ok((step.chunkDelayMs ?? 0) > 0);
    }
    // DeepSeek is the slow, cheap one: its chunks come slower than OpenAI's.
    assert.ok(presetStep('deepseek').chunkDelayMs! > presetStep('openai').chunkDelayMs!);
  });

  test('a preset fake starts with the preset timing', async () => {
    const fake = await startFakeProvider({ api: 'openai', preset: 'local' });
    try {
      await chat(fake);
      assert.deepEqual(fake.lastRequest?.step, presetStep('local'));
    } finally {
      await fake.close();
    }
  });

  test('the same prompt gets the same reply, a different one another', () => {
    assert.equal(synthesizeReply('hello'), synthesizeReply('  hello '));
    assert.notEqual(synthesizeReply('hello'), synthesizeReply('goodbye'));
  });

  test('stream chunks concatenate back to the text', () => {
    for (const text of ['', ' ', 'one', 'one two  three ', '\nline\n\nbreaks\n']) {
      assert.equal(splitText(text, 1).join(''), text);
      assert.equal(splitText(text, 3).join(''), text);
    }
  });

  test('embeddings of texts sharing words are closer than of unrelated texts', () => {
    const cosine = (a: number[], b: number[]): number =>
      a.reduce((sum, x, i) => sum + x * b[i]!, 0);
    const base = embedText('how do I reset my password', 256);
    const similar = embedText('how can I reset my password', 256);
    const other = embedText('quarterly revenue grew in europe', 256);
    assert.ok(cosine(base, similar) > 0.7);
    assert.ok(cosine(base, other) < 0.3);
    assert.ok(Math.abs(cosine(base, base) - 1) < 1e-6);
  });
});
