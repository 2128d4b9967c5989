import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INVALID, perMillion, tokenCount } from './per-million.ts';

const prices: { name: string; raw: unknown; perMillion: number | typeof INVALID | undefined }[] = [
  {
    name: "OpenRouter's per-token string moves the point six places",
    raw: '0.0000025',
    perMillion: 2.5,
  },
  {
    name: 'a string that floats would round wrong comes out exact',
    raw: '0.00000015',
    perMillion: 0.15,
  },
  { name: "LiteLLM's number in exponent form is read the same way", raw: 2.5e-6, perMillion: 2.5 },
  { name: 'a tiny exponent number is exact too', raw: 7.5e-8, perMillion: 0.075 },
  { name: 'an exponent string is read', raw: '1.25E-6', perMillion: 1.25 },
  { name: 'zero is a number (the guard refuses it, the parser does not)', raw: '0', perMillion: 0 },
  { name: "OpenRouter's -1 for a router model is invalid", raw: '-1', perMillion: INVALID },
  { name: 'a negative number is invalid', raw: -0.000001, perMillion: INVALID },
  { name: 'text is invalid', raw: 'free', perMillion: INVALID },
  { name: 'an empty string is invalid', raw: '', perMillion: INVALID },
  { name: 'a lone point is invalid', raw: '.', perMillion: INVALID },
  { name: 'an object is invalid', raw: { usd: 1 }, perMillion: INVALID },
  { name: 'null is missing', raw: null, perMillion: undefined },
  { name: 'undefined is missing', raw: undefined, perMillion: undefined },
];

for (const c of prices) {
  test(c.name, () => {
    assert.equal(perMillion(c.raw), c.perMillion);
  });
}

test('the same text always gives the same number, and equals the decimal a person would write', () => {
  for (const [raw, expected] of [
    ['0.00001', 10],
    ['0.000015', 15],
    ['0.0000003', 0.3],
    ['0.00000085', 0.85],
    ['0.000000075', 0.075],
  ] as const) {
    assert.equal(perMillion(raw), expected, raw);
  }
});

test('token counts are non-negative integers, from numbers or digit strings', () => {
  assert.equal(tokenCount(128000), 128000);
  assert.equal(tokenCount('65536'), 65536);
  assert.equal(tokenCount(0), 0);
  assert.equal(tokenCount(1.5), INVALID);
  assert.equal(tokenCount(-1), INVALID);
  assert.equal(tokenCount('max input tokens'), INVALID);
  assert.equal(tokenCount(null), undefined);
});
