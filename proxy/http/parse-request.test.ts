import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChatRequest } from './parse-request.ts';
import { ProxyError } from '../errors/proxy-error.ts';

const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'auto',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

/** The 400 a body gets: its message and param. */
function refusal(value: unknown): { message: string; param: string | null } {
  try {
    parseChatRequest(typeof value === 'string' ? Buffer.from(value) : body(value));
  } catch (error) {
    assert.ok(error instanceof ProxyError, String(error));
    assert.equal(error.status, 400);
    return { message: error.message, param: error.param };
  }
  assert.fail('the body was accepted');
}

test('a response schema nested too deep is refused before the gate compiles it', () => {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < 40; i++) schema = { type: 'array', items: schema };
  const { message, param } = refusal(
    chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } }),
  );
  assert.equal(param, 'response_format.json_schema.schema');
  assert.match(message, /nests deeper than 32 levels/);
});

test('a body nesting arrays 10,000 deep is a 400 that says so, not a stack overflow', () => {
  const deep = `{"model":"auto","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
  assert.match(refusal(deep).message, /nests objects and arrays deeper than 64 levels/);
});

test('a body nesting 64 levels is accepted', () => {
  let value: unknown = 'leaf';
  for (let i = 0; i < 60; i++) value = [value];
  assert.doesNotThrow(() => parseChatRequest(body(chat({ x: value }))));
});

test('a wrong type says which type is needed and which was sent; only an absent field is missing', () => {
  const cases: [string, unknown, string, string][] = [
    [
      'a number for model',
      { model: 5, messages: [{ role: 'user', content: 'hi' }] },
      'model',
      "Invalid type for 'model': expected a string, but got an integer instead.",
    ],
    [
      'no model',
      { messages: [{ role: 'user', content: 'hi' }] },
      'model',
      "Missing required parameter: 'model'.",
    ],
    [
      'a string for temperature',
      chat({ temperature: 'hot' }),
      'temperature',
      "Invalid type for 'temperature': expected a number, but got a string instead.",
    ],
    [
      'a number for content',
      { model: 'auto', messages: [{ role: 'user', content: 7 }] },
      'messages[0].content',
      "Invalid type for 'messages[0].content': expected a string or an array, but got an integer instead.",
    ],
    [
      'null for messages',
      { model: 'auto', messages: null },
      'messages',
      "Invalid type for 'messages': expected an array, but got null instead.",
    ],
    [
      'an unknown role',
      { model: 'auto', messages: [{ role: 'robot', content: 'x' }] },
      'messages[0].role',
      "Invalid value for 'messages[0].role': Invalid discriminator value. Expected 'system' | 'developer' | 'user' | 'assistant' | 'tool'.",
    ],
    [
      'a negative max_tokens',
      chat({ max_tokens: -1 }),
      'max_tokens',
      "Invalid value for 'max_tokens': Too small: expected number to be >=0.",
    ],
  ];
  for (const [what, value, param, message] of cases) {
    const refused = refusal(value);
    assert.equal(refused.param, param, what);
    assert.equal(refused.message, message, what);
  }
});
