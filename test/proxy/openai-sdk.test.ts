import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startProxyFixture, TEST_API_KEY, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let client: OpenAI;

before(async () => {
  fx = await startProxyFixture();
  client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'unused-by-the-proxy', maxRetries: 0 });
});
after(async () => {
  await fx.close();
});

test('a non-streaming request to an alias is answered in OpenAI format with a routing receipt', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content: 'Say hello' }] })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.ok((data.choices[0]?.message.content ?? '').length > 0);
  assert.equal(data.choices[0]?.finish_reason, 'stop');
  assert.ok((data.usage?.prompt_tokens ?? 0) > 0);
  assert.equal(response.headers.get('x-switchyard-route'), 'auto');
  assert.equal(response.headers.get('x-switchyard-tier'), 'budget');
  assert.equal(response.headers.get('x-switchyard-provider'), 'cheap');
  assert.equal(response.headers.get('x-switchyard-model'), 'small');
  assert.equal(response.headers.get('x-switchyard-attempts'), '1');
  assert.ok(Number(response.headers.get('x-switchyard-cost-usd')) > 0);
  assert.ok(Number(response.headers.get('x-switchyard-overhead-ms')) >= 0);
  assert.equal(
    fx.fakes.cheap.lastRequest?.apiKey,
    TEST_API_KEY,
    'the key from the Secret reaches the provider',
  );
});

test('a keyword rule sends the request to the premium tier, spoken in Anthropic format', async () => {
  const { data, response } = await client.chat.completions
    .create({
      model: 'auto',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Explain step-by-step' },
      ],
    })
    .withResponse();
  assert.equal(response.headers.get('x-switchyard-rule'), 'reasoning');
  assert.equal(response.headers.get('x-switchyard-provider'), 'claude');
  assert.ok((data.choices[0]?.message.content ?? '').length > 0);
  const upstream = fx.fakes.claude.lastRequest?.body as { system?: unknown; model?: string };
  assert.equal(upstream.model, 'claude-sonnet-4-5');
  assert.ok(JSON.stringify(upstream.system).includes('Be brief.'));
});

test('streaming relays OpenAI chunks and a final usage chunk when include_usage is set', async () => {
  const stream = await client.chat.completions.create({
    model: 'gemini/flash',
    messages: [{ role: 'user', content: 'Tell me a story about trains' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage: OpenAI.CompletionUsage | null | undefined;
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(text.length > 0);
  assert.equal(finish, 'stop');
  assert.ok((usage?.completion_tokens ?? 0) > 0);
});

test('tool calls come back in OpenAI format from every wire protocol', async () => {
  for (const model of ['cheap/small', 'claude/sonnet', 'gemini/flash']) {
    const fake = model.startsWith('cheap')
      ? fx.fakes.cheap
      : model.startsWith('claude')
        ? fx.fakes.claude
        : fx.fakes.gemini;
    fake.script({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
    const data = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    const call = data.choices[0]?.message.tool_calls?.[0];
    assert.equal(data.choices[0]?.finish_reason, 'tool_calls', model);
    assert.equal(call?.type === 'function' ? call.function.name : undefined, 'get_weather', model);
    assert.deepEqual(
      call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined,
      { city: 'Paris' },
      model,
    );
  }
});

test('JSON mode reaches the provider and the answer is returned', async () => {
  fx.fakes.cheap.script({ reply: '{"ok":true}' });
  const data = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'Answer in JSON' }],
    response_format: { type: 'json_object' },
  });
  assert.deepEqual(JSON.parse(data.choices[0]?.message.content ?? ''), { ok: true });
});

test('embeddings are served for a provider/model id', async () => {
  const data = await client.embeddings.create({ model: 'cheap/embed', input: ['one', 'two'] });
  assert.equal(data.data.length, 2);
  assert.ok((data.data[0]?.embedding.length ?? 0) > 0);
});

test('the model list has the aliases and every provider/model id', async () => {
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.ok(ids.includes('auto'));
  assert.ok(ids.includes('claude/sonnet'));
  assert.ok(ids.includes('gemini/flash'));
});

test("bad requests surface as the SDK's typed exceptions and the proxy keeps serving", async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'no-such-alias',
      messages: [{ role: 'user', content: 'x' }],
    }),
    OpenAI.NotFoundError,
  );
  await assert.rejects(
    client.chat.completions.create({ model: 'auto', messages: [] }),
    OpenAI.BadRequestError,
  );
  await assert.rejects(
    client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }],
    }),
    (error: unknown) => error instanceof OpenAI.APIError && error.status === 413,
  );
  const ok = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'still there?' }],
  });
  assert.equal(ok.object, 'chat.completion');
});

test('malformed JSON, wrong types and a missing field get OpenAI error bodies naming the problem', async () => {
  const post = (body: string) =>
    fetch(`${fx.proxy.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const cases: [string, string, number, string | null][] = [
    ['invalid JSON', '{"model": "auto", ', 400, null],
    ['missing messages', '{"model": "auto"}', 400, 'messages'],
    ['wrong type', '{"model": "auto", "messages": "hi"}', 400, 'messages'],
    ['not an object', '[1,2]', 400, null],
  ];
  for (const [name, body, status, param] of cases) {
    const response = await post(body);
    assert.equal(response.status, status, name);
    const json = (await response.json()) as {
      error: { message: string; type: string; param: string | null; code: string };
    };
    assert.equal(json.error.type, 'invalid_request_error', name);
    assert.equal(json.error.param, param, name);
    assert.ok(json.error.message.length > 0, name);
  }
});

test('SSE framing is byte-exact: data lines, blank-line separators and the [DONE] marker', async () => {
  const response = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'cheap/small',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    }),
  });
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const body = await response.text();
  const events = body.split('\n\n').filter((e) => e !== '');
  assert.ok(events.length >= 3);
  for (const event of events.slice(0, -2)) assert.match(event, /^data: \{.*\}$/s);
  assert.match(events.at(-2) ?? '', /^: x-switchyard-cost-usd=\d+\.\d+$/);
  assert.equal(events.at(-1), 'data: [DONE]');
  assert.ok(body.endsWith('data: [DONE]\n\n'));
});

test('every answer carries an x-request-id that the SDK reports and the log line repeats, with the provider’s id', async () => {
  const lineFor = (id: string | null | undefined) => fx.logs.find((l) => l['requestId'] === id);
  const ok = await client.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content: 'ids please' }] })
    .withResponse();
  assert.match(ok.request_id ?? '', /^req_[0-9a-f]{32}$/);
  assert.equal(lineFor(ok.request_id)?.['msg'], 'request');
  // The provider's own id for the answer is logged beside it (OpenAI: x-request-id).
  const upstreamId = lineFor(ok.request_id)?.['upstreamRequestId'];
  assert.match(String(upstreamId), /^req_[0-9a-f]{32}$/);
  assert.notEqual(upstreamId, ok.request_id);
  const viaAnthropic = await client.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content: 'Explain step-by-step' }] })
    .withResponse();
  assert.equal(viaAnthropic.response.headers.get('x-switchyard-provider'), 'claude');
  assert.match(String(lineFor(viaAnthropic.request_id)?.['upstreamRequestId']), /^req_011C/);

  const streamed = await client.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content: 'ids' }], stream: true })
    .withResponse();
  for await (const chunk of streamed.data) assert.ok(chunk.id);
  assert.match(streamed.request_id ?? '', /^req_[0-9a-f]{32}$/);
  assert.notEqual(streamed.request_id, ok.request_id);
  assert.equal(lineFor(streamed.request_id)?.['stream'], true);

  const failed = await client.chat.completions
    .create({ model: 'no-such-alias', messages: [{ role: 'user', content: 'x' }] })
    .catch((error: unknown) => error);
  assert.ok(failed instanceof OpenAI.NotFoundError);
  assert.match(failed.requestID ?? '', /^req_[0-9a-f]{32}$/);
  assert.equal(lineFor(failed.requestID)?.['msg'], 'request');
  assert.equal(lineFor(failed.requestID)?.['errorCode'], 'MODEL_NOT_FOUND');

  // An id from the client or its ingress is kept when sane, replaced when not.
  const traced = await client.chat.completions
    .create(
      { model: 'auto', messages: [{ role: 'user', content: 'traced' }] },
      { headers: { 'x-request-id': 'envoy-3f2a:trace.7' } },
    )
    .withResponse();
  assert.equal(traced.request_id, 'envoy-3f2a:trace.7');
  assert.ok(lineFor('envoy-3f2a:trace.7'));
  const spoofed = await client.chat.completions
    .create(
      { model: 'auto', messages: [{ role: 'user', content: 'spoofed' }] },
      { headers: { 'x-request-id': 'two words "quoted"' } },
    )
    .withResponse();
  assert.match(spoofed.request_id ?? '', /^req_[0-9a-f]{32}$/);

  // The model list and the probes carry one too.
  const models = await fetch(`${fx.proxy.url}/models`);
  assert.match(models.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
});

test('the log line breaks the tokens down the way they are priced', async () => {
  fx.fakes.claude.script({
    usage: {
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 1000,
      cacheWriteTokens: 100,
    },
  });
  const { request_id } = await client.chat.completions
    .create({ model: 'claude/sonnet', messages: [{ role: 'user', content: 'priced parts' }] })
    .withResponse();
  const line = fx.logs.find((l) => l['requestId'] === request_id);
  assert.equal(line?.['promptTokens'], 1200);
  assert.equal(line?.['completionTokens'], 300);
  assert.equal(line?.['cachedTokens'], 1000);
  assert.equal(line?.['cacheWriteTokens'], 100);
  assert.equal(line?.['reasoningTokens'], undefined, 'Anthropic does not count thinking apart');
  // 100 uncached × $3 + 1000 cached × $0.30 + 100 written × $3.75 + 300 out × $15, per million.
  assert.equal(line?.['costUSD'], (100 * 3 + 1000 * 0.3 + 100 * 3.75 + 300 * 15) / 1e6);

  fx.fakes.cheap.script({ usage: { inputTokens: 50, outputTokens: 400, reasoningTokens: 320 } });
  const reasoned = await client.chat.completions
    .create({ model: 'cheap/small', messages: [{ role: 'user', content: 'think' }] })
    .withResponse();
  const reasonedLine = fx.logs.find((l) => l['requestId'] === reasoned.request_id);
  assert.equal(reasonedLine?.['reasoningTokens'], 320);
  assert.equal(reasonedLine?.['cachedTokens'], undefined, 'absent, not 0, when there are none');
});

test('no log line contains the API key or the prompt text', () => {
  const all = JSON.stringify(fx.logs);
  assert.ok(fx.logs.length > 0);
  assert.ok(!all.includes(TEST_API_KEY));
  assert.ok(!all.includes('Weather in Paris'));
});
