import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatCompletion } from '../../core/openai/chat-completion.ts';
import { embeddingsRequest, embeddingsResponse } from '../../core/openai/embeddings.ts';
import { AdapterError } from './adapter-error.ts';
import { geminiAdapter } from './gemini.ts';
import { toGeminiSchema } from './gemini-schema.ts';
import { chatRequest, responseContext, upstreamTarget } from './test-support.ts';

const target = upstreamTarget(
  'https://generativelanguage.googleapis.com/v1beta',
  'models/gemini-2.5-pro',
);
const user = { role: 'user', content: 'hi' };

test('JSON Schema becomes the OpenAPI subset Gemini accepts', () => {
  assert.deepEqual(
    toGeminiSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties: {
        tag: { const: 'person' },
        name: { type: ['string', 'null'] },
        address: { $ref: '#/$defs/address' },
        contact: { oneOf: [{ type: 'string', format: 'email' }, { type: 'integer' }] },
      },
      required: ['name'],
      $defs: { address: { type: 'object', properties: { city: { type: 'string' } } } },
    }),
    {
      type: 'object',
      properties: {
        tag: { enum: ['person'] },
        name: { type: 'string', nullable: true },
        address: { type: 'object', properties: { city: { type: 'string' } } },
        contact: { anyOf: [{ type: 'string', format: 'email' }, { type: 'integer' }] },
      },
      required: ['name'],
    },
  );
});

test('a recursive $ref is cut at a bounded depth instead of looping', () => {
  const schema = {
    $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } },
    $ref: '#/$defs/node',
  };
  assert.equal(typeof toGeminiSchema(schema), 'object');
});

test('the models/ prefix of a configured model is not doubled and the key stays out of the URL', () => {
  const built = geminiAdapter.buildChatRequest(chatRequest({ messages: [user], n: 2 }), target);
  assert.equal(
    built.url,
    'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent',
  );
  assert.equal(built.headers['x-goog-api-key'], 'key-123');
  assert.deepEqual(
    (JSON.parse(built.body ?? '{}') as { generationConfig: unknown }).generationConfig,
    { candidateCount: 2 },
  );
});

test('a tool result whose call id matches no earlier tool call is refused', () => {
  assert.throws(
    () =>
      geminiAdapter.buildChatRequest(
        chatRequest({ messages: [user, { role: 'tool', tool_call_id: 'nope', content: 'x' }] }),
        target,
      ),
    (e: unknown) =>
      e instanceof AdapterError &&
      e.code === 'invalid_request' &&
      e.message.includes('messages[1]'),
  );
});

test('a function without parameters is declared without a schema', () => {
  const built = geminiAdapter.buildChatRequest(
    chatRequest({
      messages: [user],
      tools: [
        {
          type: 'function',
          function: { name: 'now', parameters: { type: 'object', properties: {} } },
        },
      ],
    }),
    target,
  );
  assert.deepEqual((JSON.parse(built.body ?? '{}') as { tools: unknown }).tools, [
    { functionDeclarations: [{ name: 'now' }] },
  ]);
});

test('several candidates become several choices; a thought part is not the answer', () => {
  const request = chatRequest({ messages: [user], n: 2 });
  const { completion } = geminiAdapter.parseChatResponse(
    JSON.stringify({
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'plan', thought: true }, { text: 'A' }] },
          finishReason: 'STOP',
          index: 0,
        },
        {
          content: { role: 'model', parts: [{ text: 'B' }] },
          finishReason: 'MAX_TOKENS',
          index: 1,
        },
      ],
      usageMetadata: {
        promptTokenCount: 3,
        candidatesTokenCount: 2,
        thoughtsTokenCount: 5,
        totalTokenCount: 10,
      },
    }),
    responseContext(request),
  );
  chatCompletion.parse(completion);
  assert.deepEqual(
    completion.choices.map((c) => [c.index, c.message.content, c.finish_reason]),
    [
      [0, 'A', 'stop'],
      [1, 'B', 'length'],
    ],
  );
  assert.equal(completion.usage?.completion_tokens, 7);
});

test('embeddings go as one batchEmbedContents call and come back in OpenAI form, base64 when asked', () => {
  const request = embeddingsRequest.parse({
    model: 'e',
    input: ['a', 'b'],
    dimensions: 3,
    encoding_format: 'base64',
  });
  const built = geminiAdapter.buildEmbeddingsRequest(request, {
    ...target,
    upstreamModel: 'gemini-embedding-001',
  });
  assert.equal(
    built.url,
    'https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents',
  );
  assert.deepEqual(JSON.parse(built.body ?? '{}'), {
    requests: ['a', 'b'].map((text) => ({
      model: 'models/gemini-embedding-001',
      content: { parts: [{ text }] },
      outputDimensionality: 3,
    })),
  });
  const context = {
    ...responseContext(chatRequest({ messages: [user] })),
    request: request as never,
  };
  const { response, usage } = geminiAdapter.parseEmbeddingsResponse(
    JSON.stringify({ embeddings: [{ values: [0.5, -1, 2] }, { values: [0, 0, 0] }] }),
    context,
  );
  embeddingsResponse.parse(response);
  const first = response.data[0]?.embedding;
  assert.equal(typeof first, 'string');
  assert.deepEqual(
    Array.from(
      new Float32Array(Uint8Array.from(atob(first as string), (c) => c.charCodeAt(0)).buffer),
    ),
    [0.5, -1, 2],
  );
  assert.equal(usage.estimated, true);
  assert.equal(usage.inputTokens, 2);
  assert.throws(
    () =>
      geminiAdapter.buildEmbeddingsRequest(
        embeddingsRequest.parse({ model: 'e', input: [1, 2] }),
        target,
      ),
    AdapterError,
  );
});

test('a streamed prompt block is an empty answer filtered by content_filter', () => {
  const request = chatRequest({ messages: [user], stream: true });
  const translator = geminiAdapter.createStreamTranslator(responseContext(request));
  const chunks = [
    ...translator.push(
      'data: {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}}\r\n\r\n',
    ),
    ...translator.end(),
  ];
  assert.deepEqual(
    chunks.map((c) => c.choices[0]?.finish_reason),
    [null, 'content_filter'],
  );
  assert.equal(translator.sawContent, false);
  assert.equal(translator.usage().inputTokens, 7);
});
