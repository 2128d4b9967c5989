import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatCompletionChunk } from '../../core/openai/chat-completion.ts';
import { embeddingsRequest, embeddingsResponse } from '../../core/openai/embeddings.ts';
import { openAIAdapter } from './openai.ts';
import { chatRequest, responseContext, upstreamTarget } from './test-support.ts';

const target = upstreamTarget('https://api.deepseek.com/v1', 'deepseek-chat');

function body(request: { body?: string }): Record<string, unknown> {
  return JSON.parse(request.body ?? '{}') as Record<string, unknown>;
}

test('the request passes through with the upstream model and without stream_options when not streaming', () => {
  const request = chatRequest({
    messages: [{ role: 'user', content: 'hi' }],
    thinking: { type: 'enabled' },
  });
  const built = openAIAdapter.buildChatRequest(request, target);
  assert.equal(built.url, 'https://api.deepseek.com/v1/chat/completions');
  assert.equal(built.headers['authorization'], 'Bearer key-123');
  assert.deepEqual(body(built), {
    model: 'deepseek-chat',
    messages: [{ role: 'user', content: 'hi' }],
    thinking: { type: 'enabled' },
  });
});

test('streams force include_usage upstream and keep the other stream options', () => {
  const request = chatRequest({
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_obfuscation: false },
  });
  assert.deepEqual(body(openAIAdapter.buildChatRequest(request, target))['stream_options'], {
    include_obfuscation: false,
    include_usage: true,
  });
});

test('a provider without a key gets no authorization header (vLLM, llama.cpp, Ollama)', () => {
  const { apiKey: _, ...keyless } = target;
  const built = openAIAdapter.buildChatRequest(
    chatRequest({ messages: [{ role: 'user', content: 'hi' }] }),
    keyless,
  );
  assert.equal(built.headers['authorization'], undefined);
});

test("DeepSeek's cache hits and its reasoning content are understood", () => {
  const request = chatRequest({ messages: [{ role: 'user', content: 'hi' }] });
  const { completion, usage } = openAIAdapter.parseChatResponse(
    JSON.stringify({
      id: 'a1b2',
      object: 'chat.completion',
      created: 1,
      model: 'deepseek-reasoner',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi!', reasoning_content: 'Greet back.' },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 5000,
        completion_tokens: 800,
        total_tokens: 5800,
        prompt_cache_hit_tokens: 4096,
        prompt_cache_miss_tokens: 904,
        completion_tokens_details: { reasoning_tokens: 500 },
      },
    }),
    responseContext(request),
  );
  assert.equal(usage.cachedInputTokens, 4096);
  assert.equal(usage.reasoningTokens, 500);
  assert.equal(completion.choices[0]?.message['reasoning_content'], 'Greet back.');
  assert.equal(completion.model, 'p/m');
});

test('non-standard finish reasons and content shapes of compatible servers are normalised', () => {
  const request = chatRequest({ messages: [{ role: 'user', content: 'hi' }] });
  const { completion } = openAIAdapter.parseChatResponse(
    JSON.stringify({
      choices: [
        {
          message: {
            role: 'assistant',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
          finish_reason: 'insufficient_system_resource',
        },
        { message: { role: 'assistant' }, finish_reason: null },
        {
          message: {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
        },
      ],
    }),
    responseContext(request),
  );
  assert.equal(completion.id, 'fallback-id');
  assert.equal(completion.created, 1_750_000_000);
  assert.deepEqual(
    completion.choices.map((c) => [c.index, c.message.content, c.finish_reason]),
    [
      [0, 'ab', 'length'],
      [1, '', 'stop'],
      [2, null, 'tool_calls'],
    ],
  );
});

test('reasoning deltas count as content, keep-alive comments are ignored, and a stream may end without [DONE] after its finish', () => {
  const request = chatRequest({ messages: [{ role: 'user', content: 'hi' }], stream: true });
  const translator = openAIAdapter.createStreamTranslator(responseContext(request));
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const out = [
    ...translator.push(': OPENROUTER PROCESSING\n\n'),
    ...translator.push(chunk({ role: 'assistant', content: null, reasoning_content: 'Think' })),
  ];
  assert.equal(translator.sawContent, true);
  out.push(...translator.push(chunk({ content: 'Hi' }, 'stop')), ...translator.end());
  for (const c of out) chatCompletionChunk.parse(c);
  assert.equal(out.length, 2, 'no usage chunk: the client did not ask for one');
  assert.equal(translator.usage().estimated, true);
});

test('the usage chunk is relayed with the upstream details when the client asks', () => {
  const request = chatRequest({
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const translator = openAIAdapter.createStreamTranslator(responseContext(request));
  const usage = {
    prompt_tokens: 9,
    completion_tokens: 1,
    total_tokens: 10,
    prompt_tokens_details: { cached_tokens: 8 },
  };
  const out = translator.push(
    `data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}\n\n` +
      `data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":${JSON.stringify(usage)}}\n\ndata: [DONE]\n\n`,
  );
  assert.deepEqual(out.at(-1)?.usage, usage);
  assert.equal(translator.usage().cachedInputTokens, 8);
});

test('embeddings pass through and report usage; missing usage is estimated from the input', () => {
  const request = embeddingsRequest.parse({
    model: 'emb',
    input: ['hello', 'world'],
    dimensions: 256,
  });
  const built = openAIAdapter.buildEmbeddingsRequest(request, {
    ...target,
    upstreamModel: 'text-embedding-3-small',
  });
  assert.equal(built.url, 'https://api.deepseek.com/v1/embeddings');
  assert.deepEqual(body(built), {
    model: 'text-embedding-3-small',
    input: ['hello', 'world'],
    dimensions: 256,
  });
  const wire = {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding: [0.1] }],
    model: 'text-embedding-3-small',
  };
  const context = {
    ...responseContext(chatRequest({ messages: [{ role: 'user', content: 'x' }] })),
    request: request as never,
  };
  const reported = openAIAdapter.parseEmbeddingsResponse(
    JSON.stringify({ ...wire, usage: { prompt_tokens: 2, total_tokens: 2 } }),
    context,
  );
  assert.deepEqual([reported.usage.inputTokens, reported.usage.estimated], [2, false]);
  embeddingsResponse.parse(reported.response);
  const estimated = openAIAdapter.parseEmbeddingsResponse(JSON.stringify(wire), context);
  assert.deepEqual([estimated.usage.inputTokens, estimated.usage.estimated], [2, true]);
  assert.equal(estimated.response.model, 'p/m');
});
