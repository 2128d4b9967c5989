import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatCompletionRequest } from './chat-request.ts';
import { embeddingsRequest } from './embeddings.ts';
import { formatPath, invalidRequestBody, openAIErrorBody } from './error-body.ts';

const minimal = { model: 'auto', messages: [{ role: 'user', content: 'Hi' }] };

test('a full request with every role and content part kind is accepted', () => {
  const request = {
    model: 'auto',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in JSON.' }] },
      {
        role: 'user',
        name: 'ada',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          {
            type: 'file',
            file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
          },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '42' },
    ],
    tools: [
      { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } },
    ],
    tool_choice: { type: 'function', function: { name: 'f' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {}, strict: true } },
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: null,
    max_completion_tokens: 100,
    temperature: 0.5,
    top_p: 1,
    n: 1,
    stop: ['END'],
    seed: 3,
    presence_penalty: 0,
    frequency_penalty: 0,
    logit_bias: { '50256': -100 },
    logprobs: false,
    user: 'u',
    metadata: { team: 'a' },
    reasoning_effort: 'low',
    modalities: ['text'],
  };
  assert.equal(chatCompletionRequest.safeParse(request).success, true);
});

test('unknown fields pass through, at the top level and inside messages', () => {
  const parsed = chatCompletionRequest.parse({
    ...minimal,
    store: true,
    service_tier: 'flex',
    messages: [
      {
        role: 'user',
        content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }],
      },
    ],
  });
  assert.equal(parsed['store'], true);
  assert.equal(parsed['service_tier'], 'flex');
  assert.deepEqual(parsed.messages[0]?.content, [
    { type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } },
  ]);
});

const invalid: [string, unknown, string][] = [
  [
    'a wrong type of a known field names its path',
    { ...minimal, temperature: 'hot' },
    'temperature',
  ],
  [
    'an unknown role is rejected',
    { model: 'auto', messages: [{ role: 'robot', content: 'x' }] },
    'messages[0].role',
  ],
  [
    'a tool message needs its tool_call_id',
    { model: 'auto', messages: [{ role: 'tool', content: 'x' }] },
    'messages[0].tool_call_id',
  ],
  [
    'an unknown content part type is rejected',
    { model: 'auto', messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] },
    'messages[0].content',
  ],
  ['max_tokens must be an integer', { ...minimal, max_tokens: 1.5 }, 'max_tokens'],
  ['messages must not be empty', { model: 'auto', messages: [] }, 'messages'],
  [
    'response_format type must be known',
    { ...minimal, response_format: { type: 'yaml' } },
    'response_format.type',
  ],
];
for (const [name, body, path] of invalid) {
  test(name, () => {
    const result = chatCompletionRequest.safeParse(body);
    assert.equal(result.success, false);
    const error = invalidRequestBody(result.error);
    openAIErrorBody.parse(error);
    assert.equal(error.error.type, 'invalid_request_error');
    assert.ok(error.error.param?.startsWith(path), `${error.error.param} starts with ${path}`);
    assert.ok(error.error.message.includes(path));
  });
}

test('paths read like OpenAI params', () => {
  assert.equal(formatPath(['messages', 1, 'content', 0, 'text']), 'messages[1].content[0].text');
  assert.equal(formatPath([]), '');
});

test('embeddings input takes a string, strings, tokens or token arrays', () => {
  for (const input of ['a', ['a', 'b'], [1, 2, 3], [[1, 2], [3]]]) {
    assert.equal(
      embeddingsRequest.safeParse({ model: 'e', input }).success,
      true,
      JSON.stringify(input),
    );
  }
  assert.equal(embeddingsRequest.safeParse({ model: 'e', input: [1.5] }).success, false);
  assert.equal(
    embeddingsRequest.safeParse({ model: 'e', input: 'a', encoding_format: 'hex' }).success,
    false,
  );
});
