// The Gemini fake over raw HTTP: bodies, SSE bytes (CRLF framing, Google's JSON spacing), the
// JSON-array stream, safety blocks, embeddings and errors.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startFakeProvider, type FakeProvider } from './server.ts';

const KEY = 'AIza-test-0123456789';
const BODY = {
  systemInstruction: { parts: [{ text: 'Be brief.' }] },
  contents: [{ role: 'user', parts: [{ text: 'Hello, Gemini' }] }],
};

interface GenerateResponse {
  candidates?: {
    content: { role: string; parts?: Record<string, unknown>[] };
    finishReason?: string;
    safetyRatings?: { category: string; probability: string; blocked?: boolean }[];
    index: number;
  }[];
  promptFeedback?: { blockReason: string };
  usageMetadata?: Record<string, unknown>;
  modelVersion: string;
  responseId: string;
}

interface GoogleError {
  error: { code: number; message: string; status: string; details?: Record<string, unknown>[] };
}

describe('Gemini fake', () => {
  let fake: FakeProvider;

  const call = (
    method: string,
    body: unknown,
    options: { model?: string; query?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> =>
    fetch(
      `${fake.url}/models/${options.model ?? 'gemini-2.5-flash'}:${method}${options.query ?? ''}`,
      {
        method: 'POST',
        headers: options.headers ?? { 'content-type': 'application/json', 'x-goog-api-key': KEY },
        body: JSON.stringify(body),
      },
    );

  before(async () => {
    fake = await startFakeProvider({ api: 'gemini', apiKey: KEY });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  test('the base URL ends in /v1beta', () => {
    assert.equal(fake.url, `${fake.origin}/v1beta`);
  });

  test('generateContent answers a pretty-printed GenerateContentResponse', async () => {
    const response = await call('generateContent', BODY);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=UTF-8');
    const text = await response.text();
    assert.ok(
      text.startsWith('{\n  "candidates": [\n    {\n      "content": {\n        "parts": ['),
    );
    const body = JSON.parse(text) as GenerateResponse;
    const candidate = body.candidates![0]!;
    assert.equal(candidate.content.role, 'model');
    assert.match(candidate.content.parts![0]!.text as string, /^You asked: "Hello, Gemini"\./);
    assert.equal(candidate.finishReason, 'STOP');
    assert.equal(candidate.index, 0);
    assert.equal(body.modelVersion, 'gemini-2.5-flash');
    assert.match(body.responseId, /^[A-Za-z0-9]{23}$/);
    const usage = body.usageMetadata!;
    assert.equal(usage.promptTokenCount, 6);
    assert.equal(usage.totalTokenCount, 6 + (usage.candidatesTokenCount as number));
    assert.equal(usage.thoughtsTokenCount, undefined, 'proto3 JSON omits zero counts');
    assert.equal(fake.lastRequest?.model, 'gemini-2.5-flash');
  });

  test('thoughts and cached tokens map to their own usage fields', async () => {
    fake.script({
      reply: 'ok',
      usage: { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 300, reasoningTokens: 250 },
    });
    const body = (await (await call('generateContent', BODY)).json()) as GenerateResponse;
    assert.deepEqual(body.usageMetadata, {
      promptTokenCount: 1000,
      candidatesTokenCount: 50,
      totalTokenCount: 1300,
      cachedContentTokenCount: 400,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1000 }],
      thoughtsTokenCount: 250,
    });
  });

  test('an alt=sse stream is CRLF-framed, in Google spacing, usage cumulative, byte for byte', async () => {
    fake.script({ reply: 'Hi', usage: { inputTokens: 4, outputTokens: 1 } });
    const response = await call('streamGenerateContent', BODY, { query: '?alt=sse' });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const text = await response.text();
    const responseId = /"responseId": "([A-Za-z0-9]{23})"/.exec(text)?.[1];
    assert.equal(
      text,
      'data: {"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": "model"},"finishReason": "STOP","index": 0}],' +
        '"usageMetadata": {"promptTokenCount": 4,"candidatesTokenCount": 1,"totalTokenCount": 5,' +
        '"promptTokensDetails": [{"modality": "TEXT","tokenCount": 4}]},' +
        `"modelVersion": "gemini-2.5-flash","responseId": "${responseId}"}\r\n\r\n`,
    );
  });

  test('a longer stream reassembles to the non-streamed text, finishReason only on the last chunk', async () => {
    const whole = (await (await call('generateContent', BODY)).json()) as GenerateResponse;
    const text = await (await call('streamGenerateContent', BODY, { query: '?alt=sse' })).text();
    const events = text.split('\r\n\r\n').filter(Boolean);
    assert.ok(events.every((event) => event.startsWith('data: ')));
    const chunks = events.map((event) => JSON.parse(event.slice(6)) as GenerateResponse);
    assert.ok(chunks.length > 1);
    const joined = chunks
      .map((chunk) => chunk.candidates![0]!.content.parts![0]!.text as string)
      .join('');
    assert.equal(joined, whole.candidates![0]!.content.parts![0]!.text);
    assert.deepEqual(
      chunks.map((chunk) => chunk.candidates![0]!.finishReason),
      [...Array<undefined>(chunks.length - 1).fill(undefined), 'STOP'],
    );
    const counts = chunks.map((chunk) => chunk.usageMetadata!.candidatesTokenCount as number);
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => a - b),
    );
    assert.equal(counts.at(-1), whole.usageMetadata!.candidatesTokenCount);
  });

  test('without alt=sse the stream is one JSON array', async () => {
    const response = await call('streamGenerateContent', BODY);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=UTF-8');
    const chunks = JSON.parse(await response.text()) as GenerateResponse[];
    assert.ok(Array.isArray(chunks) && chunks.length > 1);
    assert.equal(chunks.at(-1)!.candidates![0]!.finishReason, 'STOP');
  });

  test('function calls are functionCall parts with finishReason STOP', async () => {
    fake.script({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
    const body = (await (await call('generateContent', BODY)).json()) as GenerateResponse;
    assert.deepEqual(body.candidates![0]!.content.parts, [
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
    ]);
    assert.equal(body.candidates![0]!.finishReason, 'STOP');
  });

  test('functionCallingConfig mode ANY forces a call to an allowed function', async () => {
    const body = (await (
      await call('generateContent', {
        ...BODY,
        tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['b'] } },
      })
    ).json()) as GenerateResponse;
    assert.deepEqual(body.candidates![0]!.content.parts, [
      { functionCall: { name: 'b', args: {} } },
    ]);
  });

  test('a blocked prompt has promptFeedback.blockReason SAFETY and no candidates', async () => {
    fake.script({ promptBlocked: true });
    const body = (await (await call('generateContent', BODY)).json()) as GenerateResponse;
    assert.equal(body.candidates, undefined);
    assert.equal(body.promptFeedback?.blockReason, 'SAFETY');
  });

  test('a SAFETY finish withholds the content and flags the rating', async () => {
    fake.script({ finishReason: 'content_filter' });
    const body = (await (await call('generateContent', BODY)).json()) as GenerateResponse;
    const candidate = body.candidates![0]!;
    assert.equal(candidate.finishReason, 'SAFETY');
    assert.equal(candidate.content.parts, undefined);
    assert.ok(candidate.safetyRatings!.some((rating) => rating.blocked === true));
  });

  test('maxOutputTokens truncates with finishReason MAX_TOKENS', async () => {
    const body = (await (
      await call('generateContent', { ...BODY, generation_config: { max_output_tokens: 2 } })
    ).json()) as GenerateResponse;
    assert.equal(body.candidates![0]!.finishReason, 'MAX_TOKENS');
  });

  test('the key is accepted in x-goog-api-key or ?key=, and checked', async () => {
    const plain = { 'content-type': 'application/json' };
    assert.equal(
      (await call('generateContent', BODY, { query: `?key=${KEY}`, headers: plain })).status,
      200,
    );
    assert.equal(fake.lastRequest?.apiKey, KEY);
    const wrong = await call('generateContent', BODY, {
      headers: { ...plain, 'x-goog-api-key': 'nope' },
    });
    assert.equal(wrong.status, 400);
    const wrongBody = (await wrong.json()) as GoogleError;
    assert.equal(wrongBody.error.status, 'INVALID_ARGUMENT');
    assert.equal(wrongBody.error.details?.[0]?.reason, 'API_KEY_INVALID');
    const bearer = await call('generateContent', BODY, {
      headers: { ...plain, authorization: `Bearer ${KEY}` },
    });
    assert.equal(bearer.status, 403);
    assert.equal(((await bearer.json()) as GoogleError).error.status, 'PERMISSION_DENIED');
  });

  test('errors have the native shape; 429 carries QuotaFailure and RetryInfo', async () => {
    fake.script({ status: 429, retryAfterSeconds: 30 });
    const response = await call('generateContent', BODY);
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '30');
    const body = (await response.json()) as GoogleError;
    assert.equal(body.error.code, 429);
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    const types = body.error.details!.map((detail) => detail['@type']);
    assert.deepEqual(types, [
      'type.googleapis.com/google.rpc.QuotaFailure',
      'type.googleapis.com/google.rpc.RetryInfo',
    ]);
    assert.equal(body.error.details![1]!.retryDelay, '30s');

    for (const [status, name] of [
      [500, 'INTERNAL'],
      [503, 'UNAVAILABLE'],
      [504, 'DEADLINE_EXCEEDED'],
    ] as const) {
      fake.script({ status });
      const error = (await (await call('generateContent', BODY)).json()) as GoogleError;
      assert.equal(error.error.code, status);
      assert.equal(error.error.status, name);
    }
  });

  test('too long an input is 400 INVALID_ARGUMENT with the real message', async () => {
    fake.script({ contextLengthExceeded: true });
    const response = await call('generateContent', BODY);
    assert.equal(response.status, 400);
    const body = (await response.json()) as GoogleError;
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.match(
      body.error.message,
      /^The input token count \(\d+\) exceeds the maximum number of tokens allowed \(1048576\)\.$/,
    );
  });

  test('unknown fields and missing contents are rejected as by the real API', async () => {
    const unknown = (await (await call('generateContent', { messages: [] })).json()) as GoogleError;
    assert.equal(
      unknown.error.message,
      'Invalid JSON payload received. Unknown name "messages": Cannot find field.',
    );
    const missing = (await (await call('generateContent', { contents: [] })).json()) as GoogleError;
    assert.match(missing.error.message, /contents is not specified/);
  });

  test('an in-band error closes a started stream', async () => {
    fake.script({
      reply: 'one two three four five six seven eight nine ten',
      streamErrorAfterChunks: 1,
    });
    const text = await (await call('streamGenerateContent', BODY, { query: '?alt=sse' })).text();
    const events = text.split('\r\n\r\n').filter(Boolean);
    assert.equal(events.length, 2);
    const last = JSON.parse(events[1]!.slice(6)) as GoogleError;
    assert.equal(last.error.status, 'UNAVAILABLE');
  });

  test('embedContent and batchEmbedContents return deterministic values', async () => {
    const content = { parts: [{ text: 'semantic cache key' }] };
    const one = (await (
      await call(
        'embedContent',
        { content, outputDimensionality: 8 },
        { model: 'gemini-embedding-001' },
      )
    ).json()) as {
      embedding: { values: number[] };
    };
    assert.equal(one.embedding.values.length, 8);
    const batch = (await (
      await call(
        'batchEmbedContents',
        {
          requests: [
            { model: 'models/gemini-embedding-001', content, outputDimensionality: 8 },
            {
              model: 'models/gemini-embedding-001',
              content: { parts: [{ text: 'other' }] },
              outputDimensionality: 8,
            },
          ],
        },
        { model: 'gemini-embedding-001' },
      )
    ).json()) as { embeddings: { values: number[] }[] };
    assert.equal(batch.embeddings.length, 2);
    assert.deepEqual(batch.embeddings[0]!.values, one.embedding.values);
    assert.notDeepEqual(batch.embeddings[1]!.values, one.embedding.values);
  });

  test('models are listed with their generation methods', async () => {
    const response = await fetch(`${fake.url}/models`, { headers: { 'x-goog-api-key': KEY } });
    const body = (await response.json()) as {
      models: { name: string; supportedGenerationMethods: string[] }[];
    };
    const flash = body.models.find((model) => model.name === 'models/gemini-2.5-flash');
    assert.ok(flash?.supportedGenerationMethods.includes('generateContent'));
  });
});
