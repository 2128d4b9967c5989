import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChatRequest } from './parse-request.ts';
import { ProxyError } from './proxy-error.ts';

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
