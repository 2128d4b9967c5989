// The Anthropic fake over raw HTTP: body shapes, the exact SSE bytes, validation and errors.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startFakeProvider, type FakeProvider } from './server.ts';

const HEADERS = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant-test-0123456789',
  'anthropic-version': '2023-06-01',
};

const BODY = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'Hello, Claude' }],
};

interface Message {
  id: string;
  type: string;
  role: string;
  model: string;
  content: { type: string; text?: string; id?: string; name?: string; input?: unknown }[];
  stop_reason: string;
  stop_sequence: null;
  usage: Record<string, unknown>;
}

describe('Anthropic fake', () => {
  let fake: FakeProvider;

  const post = (body: unknown, headers: Record<string, string> = HEADERS): Promise<Response> =>
    fetch(`${fake.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify(body) });

  before(async () => {
    fake = await startFakeProvider({ api: 'anthropic', apiKey: 'sk-ant-test-0123456789' });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  test('the base URL is the origin; the client appends /v1/messages', () => {
    assert.equal(fake.url, fake.origin);
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a message has the real shape, with text content and usage', async () => {
    const response = await post(BODY);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.match(response.headers.get('request-id') ?? '', /^req_011C/);
    const message = (await response.json()) as Message;
    assert.deepEqual(Object.keys(message), [
      'id',
      'type',
      'role',
      'model',
      'content',
      'stop_reason',
      'stop_sequence',
      'usage',
    ]);
    assert.match(message.id, /^msg_01[A-Za-z0-9]{22}$/);
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.content[0]!.type, 'text');
    assert.match(message.content[0]!.text!, /^You asked: "Hello, Claude"\./);
    // "Be brief.\nHello, Claude" is 23 characters: 6 tokens at four characters each.
    assert.equal(message.usage.input_tokens, 6);
    assert.equal(message.usage.cache_read_input_tokens, 0);
    assert.equal(message.usage.cache_creation_input_tokens, 0);
    assert.equal(fake.lastRequest?.apiKey, 'sk-ant-test-0123456789');
  });

  test('input_tokens exclude cache reads and writes, which have their own fields', async () => {
    fake.script({
      reply: 'ok',
      usage: { inputTokens: 1000, cachedInputTokens: 700, cacheWriteTokens: 200, outputTokens: 50 },
    });
    const message = (await (await post(BODY)).json()) as Message;
    assert.equal(message.usage.input_tokens, 100);
    assert.equal(message.usage.cache_read_input_tokens, 700);
    assert.equal(message.usage.cache_creation_input_tokens, 200);
    assert.equal(message.usage.output_tokens, 50);
  });

  test('tool calls are tool_use blocks with stop_reason tool_use', async () => {
    fake.script({
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'toolu_fixed' }],
    });
    const message = (await (await post(BODY)).json()) as Message;
    assert.equal(message.stop_reason, 'tool_use');
    assert.deepEqual(message.content, [
      { type: 'tool_use', id: 'toolu_fixed', name: 'get_weather', input: { city: 'Paris' } },
    ]);
  });

  test('tool_choice any forces a tool_use of the first tool', async () => {
    const message = (await (
      await post({
        ...BODY,
        tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
        tool_choice: { type: 'any' },
      })
    ).json()) as Message;
    assert.equal(message.content[0]!.name, 'lookup');
    assert.match(message.content[0]!.id!, /^toolu_01/);
  });

  test('max_tokens caps the answer with stop_reason max_tokens', async () => {
    const message = (await (await post({ ...BODY, max_tokens: 2 })).json()) as Message;
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 2);
  });

  test('a stream is the exact event sequence, byte for byte', async () => {
    fake.script({ reply: 'Hi there', usage: { inputTokens: 10, outputTokens: 3 } });
    const response = await post({ ...BODY, stream: true });
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const text = await response.text();
    const id = /"id":"(msg_01[A-Za-z0-9]{22})"/.exec(text)?.[1];
    assert.ok(id);
    const usage = '"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0';
    assert.equal(
      text,
      'event: message_start\n' +
        `data: {"type":"message_start","message":{"id":"${id}","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{${usage},"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}\n\n` +
        'event: content_block_start\n' +
        'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
        'event: ping\n' +
        'data: {"type": "ping"}\n\n' +
        'event: content_block_delta\n' +
        'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n' +
        'event: content_block_delta\n' +
        'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}\n\n' +
        'event: content_block_stop\n' +
        'data: {"type":"content_block_stop","index":0}\n\n' +
        'event: message_delta\n' +
        `data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{${usage},"output_tokens":3}}\n\n` +
        'event: message_stop\n' +
        'data: {"type":"message_stop"}\n\n',
    );
  });

  test('a streamed tool call opens a tool_use block and sends input_json_delta fragments', async () => {
    fake.script({
      reply: 'Checking.',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
    });
    const text = await (await post({ ...BODY, stream: true })).text();
    const events = parseEvents(text);
    assert.deepEqual(
      events.map((event) => event.event),
      [
        'message_start',
        'content_block_start',
        'ping',
        'content_block_delta',
        'content_block_stop',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    const toolStart = events[5]!.data as {
      index: number;
      content_block: { type: string; name: string };
    };
    assert.equal(toolStart.index, 1);
    assert.equal(toolStart.content_block.type, 'tool_use');
    const json = events
      .filter(
        (event) => (event.data as { delta?: { type: string } }).delta?.type === 'input_json_delta',
      )
      .map((event) => (event.data as { delta: { partial_json: string } }).delta.partial_json)
      .join('');
    assert.deepEqual(JSON.parse(json), { city: 'Paris' });
    assert.equal(
      (events[9]!.data as { delta: { stop_reason: string } }).delta.stop_reason,
      'tool_use',
    );
  });

  test('an in-band error event ends a stream that already started', async () => {
    fake.script({ reply: 'one two three', streamErrorAfterChunks: 2 });
    const events = parseEvents(await (await post({ ...BODY, stream: true })).text());
    assert.deepEqual(
      events.map((event) => event.event),
      [
        'message_start',
        'content_block_start',
        'ping',
        'content_block_delta',
        'content_block_delta',
        'error',
      ],
    );
    assert.deepEqual((events.at(-1)!.data as { error: unknown }).error, {
      type: 'overloaded_error',
      message: 'Overloaded',
    });
  });

  test('a blocked prompt is a refusal with no content', async () => {
    fake.script({ promptBlocked: true });
    const message = (await (await post(BODY)).json()) as Message;
    assert.equal(message.stop_reason, 'refusal');
    assert.deepEqual(message.content, []);
  });

  test('errors have the native shape, type and status', async () => {
    const cases = [
      { step: { status: 529 }, status: 529, type: 'overloaded_error', message: 'Overloaded' },
      { step: { status: 500 }, status: 500, type: 'api_error', message: 'Internal server error' },
      { step: { status: 429, retryAfterSeconds: 12 }, status: 429, type: 'rate_limit_error' },
      {
        step: { status: 400, errorMessage: 'bad thing' },
        status: 400,
        type: 'invalid_request_error',
        message: 'bad thing',
      },
    ];
    for (const expected of cases) {
      fake.script(expected.step);
      const response = await post(BODY);
      assert.equal(response.status, expected.status);
      const body = (await response.json()) as {
        type: string;
        error: { type: string; message: string };
        request_id: string;
      };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, expected.type);
      if (expected.message !== undefined) assert.equal(body.error.message, expected.message);
      assert.match(body.request_id, /^req_011C/);
    }
    fake.script({ status: 429, retryAfterSeconds: 12 });
    assert.equal((await post(BODY)).headers.get('retry-after'), '12');
  });

  test('the context-length error reads "prompt is too long: N tokens > M maximum"', async () => {
    fake.script({ contextLengthExceeded: true });
    const response = await post(BODY);
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /^prompt is too long: \d+ tokens > 200000 maximum$/);
  });

  test('requests are validated like the real API', async () => {
    const cases: [Record<string, string>, unknown, number, string][] = [
      [HEADERS, BODY, 200, ''],
      [omit(HEADERS, 'anthropic-version'), BODY, 400, 'anthropic-version: header is required'],
      [omit(HEADERS, 'x-api-key'), BODY, 401, 'x-api-key header is required'],
      [{ ...HEADERS, 'x-api-key': 'wrong' }, BODY, 401, 'invalid x-api-key'],
      // OpenAI-style bearer auth is not where the Messages API reads its key.
      [
        { ...omit(HEADERS, 'x-api-key'), authorization: 'Bearer sk-ant-test-0123456789' },
        BODY,
        401,
        'x-api-key header is required',
      ],
      [HEADERS, omit(BODY, 'max_tokens'), 400, 'max_tokens: Field required'],
      [
        HEADERS,
        { ...BODY, stream_options: {} },
        400,
        'stream_options: Extra inputs are not permitted',
      ],
      [
        HEADERS,
        { ...BODY, messages: [{ role: 'system', content: 'x' }] },
        400,
        "messages.0.role: Input should be 'user' or 'assistant'",
      ],
    ];
    for (const [headers, body, status, message] of cases) {
      const response = await post(body, headers);
      assert.equal(response.status, status, message);
      const json = (await response.json()) as { error?: { message: string } };
      if (status !== 200) assert.equal(json.error?.message, message);
    }
  });

  test('models are listed in the Anthropic shape', async () => {
    const response = await fetch(`${fake.url}/v1/models`, { headers: HEADERS });
    const body = (await response.json()) as {
      data: { type: string; id: string }[];
      has_more: boolean;
    };
    assert.equal(body.has_more, false);
    assert.ok(body.data.every((model) => model.type === 'model'));
  });
});

function omit<T extends Record<string, unknown>>(value: T, key: string): Record<string, never> {
  const copy: Record<string, unknown> = { ...value };
  delete copy[key];
  return copy as Record<string, never>;
}

function parseEvents(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return {
        event: (eventLine ?? '').replace(/^event: /, ''),
        data: JSON.parse((dataLine ?? '').replace(/^data: /, '')) as unknown,
      };
    });
}
