import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { FULL_SCAN_CHARS, estimateTextTokens } from './token-estimate.ts';

interface Sample {
  name: string;
  kind: 'prose' | 'code';
  text: string;
  cl100kTokens: number;
}

const { samples } = JSON.parse(
  readFileSync(new URL('./fixtures/token-samples.json', import.meta.url), 'utf8'),
) as { samples: Sample[] };

for (const sample of samples) {
  test(`${sample.kind} "${sample.name}" is estimated within 15% of its cl100k count`, () => {
    const estimate = estimateTextTokens(sample.text);
    const ratio = estimate / sample.cl100kTokens;
    assert.ok(
      ratio >= 0.85 && ratio <= 1.15,
      `${estimate} estimated vs ${sample.cl100kTokens} real (ratio ${ratio.toFixed(3)})`,
    );
  });
}

test('a long text is sampled, not scanned whole, and still lands close', () => {
  const sample = samples.find((s) => s.text.length > FULL_SCAN_CHARS);
  assert.ok(sample, 'the fixtures hold a text longer than the full-scan limit');
  const doubled = estimateTextTokens(sample.text + '\n' + sample.text);
  const single = estimateTextTokens(sample.text);
  assert.ok(Math.abs(doubled / (2 * single) - 1) < 0.1, `${doubled} vs 2 × ${single}`);
});

const table: [string, string, number][] = [
  ['the empty string costs nothing', '', 0],
  ['one common word is one token', 'hello', 1],
  ['words keep their leading space', 'Hello world', 2],
  ['digits go in groups of three', '1234567', 3],
  ['a camelCase identifier is split at case changes', 'parseJsonBody', 3],
  ['a run of one punctuation character is one token', '----------', 1],
];
for (const [name, text, tokens] of table) {
  test(name, () => assert.equal(estimateTextTokens(text), tokens));
}

test('CJK text is charged per character', () => {
  const estimate = estimateTextTokens('你好，世界');
  assert.ok(estimate >= 5 && estimate <= 7, String(estimate)); // cl100k: 6
});

test('the estimate is a non-negative integer that grows with the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
      const one = estimateTextTokens(a);
      assert.ok(Number.isInteger(one) && one >= 0);
      assert.ok(estimateTextTokens(a + b) >= one - 1, 'appending text never loses a token');
    }),
  );
});
