import assert from 'node:assert/strict';
import { test } from 'node:test';
import { embeddingsRequest } from '../../core/openai/embeddings.ts';
import { AdapterError } from './adapter-error.ts';
import { anthropicAdapter } from './anthropic.ts';
import { chatRequest, responseContext, upstreamTarget } from './test-support.ts';

const target = upstreamTarget('https://api.anthropic.com', 'claude-haiku-4-5');
const user = { role: 'user', content: 'hi' };

function body(messages: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const built = anthropicAdapter.buildChatRequest(chatRequest({ messages, ...extra }), target);
  return JSON.parse(built.body ?? '{}') as Record<string, unknown>;
}

function adapterError(code: string) {
  return (error: unknown) => error instanceof AdapterError && error.code === code;
}

test('max_tokens is required: the request asks for at most the model maximum', () => {
  assert.equal(body([user])['max_tokens'], 4096);
  assert.equal(body([user], { max_tokens: 100 })['max_tokens'], 100);
  assert.equal(body([user], { max_completion_tokens: 50, max_tokens: 100 })['max_tokens'], 50);
  assert.equal(body([user], { max_tokens: 100000 })['max_tokens'], 4096);
  assert.equal(body([user], { max_tokens: 0 })['max_tokens'], 1);
});

test("temperature is clamped to Anthropic's 0-1", () => {
  assert.equal(body([user], { temperature: 1.7 })['temperature'], 1);
});

test('tool_choice maps to auto/any/none/tool, and parallel_tool_calls false disables parallel use', () => {
  const tools = [{ type: 'function', function: { name: 'f' } }];
  assert.deepEqual(body([user], { tools, tool_choice: 'required' })['tool_choice'], {
    type: 'any',
  });
  assert.deepEqual(body([user], { tools, tool_choice: 'none' })['tool_choice'], { type: 'none' });
  assert.deepEqual(body([user], { tools, parallel_tool_calls: false })['tool_choice'], {
    type: 'auto',
    disable_parallel_tool_use: true,
  });
  assert.equal(body([user], { tools })['tool_choice'], undefined);
  assert.deepEqual((body([user], { tools })['tools'] as unknown[])[0], {
    name: 'f',
    input_schema: { type: 'object', properties: {} },
  });
  assert.equal(
    body([user], { tool_choice: 'auto' })['tool_choice'],
    undefined,
    'no tool_choice without tools',
  );
});

test('JSON mode becomes a system instruction after the system prompt', () => {
  const system = body([{ role: 'system', content: 'Be terse.' }, user], {
    response_format: { type: 'json_object' },
  })['system'] as { text: string }[];
  assert.equal(system[0]?.text, 'Be terse.');
  assert.match(system[1]?.text ?? '', /JSON object/);
});

test('consecutive user messages merge into one turn and empty texts are dropped', () => {
  assert.deepEqual(
    body([
      user,
      {
        role: 'user',
        content: [
          { type: 'text', text: '' },
          { type: 'text', text: 'again' },
        ],
      },
    ])['messages'],
    [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'text', text: 'again' },
        ],
      },
    ],
  );
});

test('a PDF file part becomes a document block', () => {
  const messages = body([
    {
      role: 'user',
      content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } }],
    },
  ])['messages'] as { content: unknown[] }[];
  assert.deepEqual(messages[0]?.content[0], {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
  });
});

test('what Anthropic cannot express is refused before any I/O', () => {
  assert.throws(() => body([user], { n: 2 }), adapterError('unsupported'));
  assert.throws(
    () =>
      body([
        {
          role: 'user',
          content: [{ type: 'input_audio', input_audio: { data: 'AA==', format: 'wav' } }],
        },
      ]),
    adapterError('unsupported'),
  );
  assert.throws(
    () => body([{ role: 'system', content: 'only a system prompt' }]),
    adapterError('unsupported'),
  );
  assert.throws(
    () =>
      body([
        user,
        {
          role: 'assistant',
          tool_calls: [
            { id: 'c', type: 'function', function: { name: 'f', arguments: '{not json' } },
          ],
        },
      ]),
    (e: unknown) =>
      e instanceof AdapterError &&
      e.code === 'invalid_request' &&
      e.message.includes('messages[1].tool_calls[0]'),
  );
  assert.throws(
    () =>
      anthropicAdapter.buildEmbeddingsRequest(
        embeddingsRequest.parse({ model: 'e', input: 'x' }),
        target,
      ),
    adapterError('unsupported'),
  );
});

test('headers carry the key and the pinned API version; config headers are kept', () => {
  const built = anthropicAdapter.buildChatRequest(chatRequest({ messages: [user] }), {
    ...target,
    headers: { 'anthropic-beta': 'context-1m-2025-08-07' },
  });
  assert.equal(built.headers['x-api-key'], 'key-123');
  assert.equal(built.headers['anthropic-version'], '2023-06-01');
  assert.equal(built.headers['anthropic-beta'], 'context-1m-2025-08-07');
  assert.equal(
    anthropicAdapter.buildHealthProbe(target).url,
    'https://api.anthropic.com/v1/models',
  );
});

test('text before parallel tool_use blocks: tool call indexes count tool calls, not content blocks', () => {
  const request = chatRequest({ messages: [user], stream: true });
  const translator = anthropicAdapter.createStreamTranslator(responseContext(request));
  const events = [
    {
      type: 'message_start',
      message: { id: 'msg_1', usage: { input_tokens: 10, output_tokens: 1 } },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Checking both.' },
    },
    {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_a', name: 'w', input: {} },
    },
    {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"c":1}' },
    },
    {
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'tool_use', id: 'toolu_b', name: 'w', input: {} },
    },
    {
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: '{"c":2}' },
    },
    {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: 40, input_tokens: 10, cache_read_input_tokens: 100 },
    },
    { type: 'message_stop' },
  ];
  const chunks = translator.push(
    events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''),
  );
  const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
  assert.deepEqual(
    calls.map((c) => [c.index, c.id, c.function?.arguments]),
    [
      [0, 'toolu_a', ''],
      [0, undefined, '{"c":1}'],
      [1, 'toolu_b', ''],
      [1, undefined, '{"c":2}'],
    ],
  );
  assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'tool_calls');
  assert.deepEqual(translator.usage(), {
    inputTokens: 110,
    outputTokens: 40,
    cachedInputTokens: 100,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    estimated: false,
  });
});
