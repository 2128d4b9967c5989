// Scripted faults as a client sees them: resets, black holes, malformed JSON, timing.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startFakeProvider, type FakeProvider } from './server.ts';

const messages = [{ role: 'user' as const, content: 'Tell me something' }];
const chatBody = (stream: boolean): string =>
  JSON.stringify({ model: 'gpt-4o-mini', messages, stream });

/** The `code` of an error or of any error in its cause chain. */
function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  while (current instanceof Error) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

describe('scripted faults', () => {
  let fake: FakeProvider;
  let client: OpenAI;

  const post = (stream: boolean, signal?: AbortSignal): Promise<Response> =>
    fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody(stream),
      ...(signal === undefined ? {} : { signal }),
    });

  before(async () => {
    fake = await startFakeProvider({ api: 'openai' });
    client = new OpenAI({ baseURL: fake.url, apiKey: 'k', maxRetries: 0 });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  test('a reset mid-stream reaches the SDK as ECONNRESET after the scripted chunks', async () => {
    fake.script({ reply: 'one two three four five six', resetAfterChunks: 3 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta.content;
          if (content) received.push(content);
        }
      })(),
      (error: unknown) => codeOf(error) === 'ECONNRESET',
    );
    assert.deepEqual(received, ['one', ' two', ' three']);
  });

  test('a reset before the first chunk comes after a 200 and its headers', async () => {
    fake.script({ resetAfterChunks: 0 });
    const response = await post(true);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    await assert.rejects(response.text(), (error: unknown) => codeOf(error) === 'ECONNRESET');
  });

  test('a reset past the last chunk drops the connection before [DONE]', async () => {
    fake.script({ reply: 'a b', resetAfterChunks: 99 });
    const response = await post(true);
    const reader = response.body!.getReader();
    let text = '';
    await assert.rejects(async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString();
      }
    });
    assert.match(text, /" b"/);
    assert.doesNotMatch(text, /\[DONE\]/);
  });

  test('a reset on a non-streamed request fails the request itself', async () => {
    fake.script({ resetAfterChunks: 0 });
    await assert.rejects(post(false), (error: unknown) => codeOf(error) === 'ECONNRESET');
    fake.script({ resetAfterChunks: 1 });
    const response = await post(false);
    assert.equal(response.status, 200);
    await assert.rejects(response.text(), (error: unknown) => codeOf(error) === 'ECONNRESET');
  });

  test('a black hole never answers: the client times out, and close() still returns', async () => {
    const hole = await startFakeProvider({ api: 'openai', defaultScript: { blackhole: true } });
    const started = performance.now();
    await assert.rejects(
      fetch(`${hole.url}/chat/completions`, {
        method: 'POST',
        body: chatBody(false),
        signal: AbortSignal.timeout(150),
      }),
      { name: 'TimeoutError' },
    );
    assert.ok(performance.now() - started >= 140);
    assert.equal(hole.requests.length, 1);
    assert.equal(hole.lastRequest?.step?.blackhole, true);
    const closing = performance.now();
    await hole.close();
    assert.ok(performance.now() - closing < 1000);
  });

  test('malformed JSON breaks a body with a consistent Content-Length', async () => {
    fake.script({ malformedJson: true });
    const response = await post(false);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.equal(Buffer.byteLength(text), Number(response.headers.get('content-length')));
    assert.throws(() => JSON.parse(text) as unknown, SyntaxError);
    fake.script({ malformedJson: true });
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages }),
      SyntaxError,
    );
  });

  test('malformed JSON in a stream breaks one complete event', async () => {
    fake.script({ malformedJson: true });
    const text = await (await post(true)).text();
    const events = text.split('\n\n').filter(Boolean);
    const broken = events.filter((event) => {
      try {
        const data = event.slice('data: '.length);
        if (data !== '[DONE]') JSON.parse(data);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(broken.length, 1);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });

  test('omitUsage leaves usage out, even when include_usage asked for it', async () => {
    fake.script([{ omitUsage: true }, { omitUsage: true }]);
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(completion.usage, undefined);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((chunk) => chunk.usage == null));
  });

  test('latencyMs delays the headers; ttftMs delays the first chunk after them', async () => {
    fake.script({ latencyMs: 120 });
    let started = performance.now();
    await (await post(false)).text();
    assert.ok(performance.now() - started >= 115);

    fake.script({ ttftMs: 600, reply: 'a b c' });
    started = performance.now();
    const response = await post(true);
    const headersAt = performance.now() - started;
    const reader = response.body!.getReader();
    await reader.read();
    const firstChunkAt = performance.now() - started;
    await reader.cancel();
    // The headers come well before the TTFT ends; the first chunk only after it.
    assert.ok(headersAt < 450, `headers after ${headersAt} ms`);
    assert.ok(firstChunkAt >= 595, `first chunk after ${firstChunkAt} ms`);
  });

  test('chunkDelayMs spaces the chunks, and a non-streamed answer waits as long as the stream', async () => {
    fake.script({ reply: 'a b c d e', ttftMs: 20, chunkDelayMs: 40 });
    let started = performance.now();
    await (await post(true)).text();
    assert.ok(performance.now() - started >= 20 + 4 * 40 - 5);
    fake.script({ reply: 'a b c d e', ttftMs: 20, chunkDelayMs: 40 });
    started = performance.now();
    await (await post(false)).text();
    assert.ok(performance.now() - started >= 20 + 4 * 40 - 5);
  });

  test('a client abort ends the stream early without breaking the fake', async () => {
    fake.script({ reply: 'a b c d e f g h', chunkDelayMs: 50 });
    const controller = new AbortController();
    const response = await post(true, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(completion.object, 'chat.completion');
  });
});
