import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatCompletion, ChatCompletionRequest } from '../../core/openai/types.ts';
import { QualityGate } from './quality-gate.ts';

function schemaRequest(schema: Record<string, unknown>): ChatCompletionRequest {
  return {
    model: 'auto',
    messages: [{ role: 'user', content: 'answer in JSON' }],
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } },
  };
}

function answer(content: string): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [
      { index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null },
    ],
  };
}

/** Fails when `check` takes longer than the deadline; V8's engine needs 2^n steps here. */
function judgedWithin(deadlineMs: number, check: () => { ok: boolean }): boolean {
  const started = performance.now();
  const verdict = check();
  const tookMs = performance.now() - started;
  assert.ok(tookMs < deadlineMs, `the gate took ${tookMs.toFixed(0)} ms`);
  return verdict.ok;
}

test('a client schema with a catastrophic pattern is judged in linear time', () => {
  const gate = new QualityGate();
  const request = schemaRequest({
    type: 'object',
    properties: { s: { type: 'string', pattern: '^(a+)+$' } },
  });
  const evil = JSON.stringify({ s: `${'a'.repeat(30_000)}!` });
  assert.equal(
    judgedWithin(2000, () => gate.check(request, answer(evil))),
    false,
  );
  assert.equal(gate.check(request, answer(JSON.stringify({ s: 'aaa' }))).ok, true);
});

test('patternProperties also run on the linear engine', () => {
  const gate = new QualityGate();
  const request = schemaRequest({
    type: 'object',
    patternProperties: { '^(a|aa)+$': { type: 'number' } },
  });
  const evil = JSON.stringify({ [`${'a'.repeat(30_000)}!`]: 'x', aa: 1 });
  assert.equal(
    judgedWithin(2000, () => gate.check(request, answer(evil))),
    true,
  );
  assert.equal(gate.check(request, answer(JSON.stringify({ aa: 'x' }))).ok, false);
});

test('uniqueItems, quadratic in ajv, is left to the provider', () => {
  const gate = new QualityGate();
  const request = schemaRequest({ type: 'array', uniqueItems: true, items: { type: 'object' } });
  const many = JSON.stringify(Array.from({ length: 20_000 }, () => ({})));
  assert.equal(
    judgedWithin(2000, () => gate.check(request, answer(many))),
    true,
  );
});

test('a pattern the linear engine cannot run leaves the schema to the provider', () => {
  const gate = new QualityGate();
  const request = schemaRequest({ type: 'string', pattern: '(a)\\1' });
  assert.equal(gate.check(request, answer('"ab"')).ok, true);
});
