import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatCompletionRequest } from './chat-request.ts';
import {
  IMAGE_TOKENS,
  LOW_DETAIL_IMAGE_TOKENS,
  estimateEmbeddingInputTokens,
  estimatePromptTokens,
  requestFacts,
} from './request-facts.ts';
import { estimateTextTokens } from './token-estimate.ts';

const parse = (body: unknown) => chatCompletionRequest.parse(body);

test('a plain chat needs no capability and counts message overheads', () => {
  const request = parse({ model: 'auto', messages: [{ role: 'user', content: 'Say hello.' }] });
  const facts = requestFacts(request);
  assert.deepEqual(facts.requiredCapabilities, []);
  assert.equal(facts.promptTokens, 3 + 3 + estimateTextTokens('Say hello.'));
  assert.equal(facts.promptTokens, estimatePromptTokens(request));
  assert.equal(facts.responseFormat, 'text');
  assert.equal(facts.hasTools, false);
});

test('tools, JSON, images and streaming each require their capability', () => {
  const request = parse({
    model: 'auto',
    stream: true,
    response_format: { type: 'json_object' },
    tools: [{ type: 'function', function: { name: 'f' } }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Please analyze the logic' },
          { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          { type: 'image_url', image_url: { url: 'https://x/z.png', detail: 'low' } },
        ],
      },
    ],
  });
  const facts = requestFacts(request);
  assert.deepEqual(facts.requiredCapabilities, ['tools', 'json', 'vision', 'streaming']);
  assert.equal(facts.hasImages, true);
  assert.equal(facts.responseFormat, 'json_object');
  assert.equal(facts.userText, 'Please analyze the logic');
  assert.ok(facts.promptTokens > IMAGE_TOKENS + LOW_DETAIL_IMAGE_TOKENS);
});

test('a conversation with tool history needs tools even without tool definitions', () => {
  const request = parse({
    model: 'auto',
    messages: [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'w', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c', content: 'sunny' },
    ],
  });
  assert.deepEqual(requestFacts(request).requiredCapabilities, ['tools']);
});

test('user text joins every user message and leaves the others out', () => {
  const request = parse({
    model: 'auto',
    messages: [
      { role: 'system', content: 'secret system prompt' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: [{ type: 'text', text: 'second' }] },
    ],
  });
  assert.equal(requestFacts(request).userText, 'first\nsecond');
});

test('embedding inputs: text is estimated, token arrays are counted', () => {
  assert.equal(estimateEmbeddingInputTokens([1, 2, 3]), 3);
  assert.equal(estimateEmbeddingInputTokens([[1, 2], [3]]), 3);
  assert.equal(estimateEmbeddingInputTokens(['hello', 'hello']), 2);
});
