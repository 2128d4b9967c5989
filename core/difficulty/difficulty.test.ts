import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { estimateTextTokens } from '../openai/token-estimate.ts';
import { builtinScorer } from './builtin.ts';
import { promptInput, type DifficultyInput } from './difficulty-input.ts';
import { DENSE_FEATURES, extractFeatures, HEAD_CHARS, TAIL_CHARS } from './features.ts';
import { MARKER_CLASSES, MONOTONE } from './markers.ts';
import modelFile from './difficulty-model-v1.json' with { type: 'json' };
import { loadDifficultyModel, scoreDifficulty, thresholdForShare } from './model.ts';

const model = builtinScorer('difficulty-v1');
const input = (text: string): DifficultyInput => promptInput(text, estimateTextTokens(text) + 7);
const score = (text: string) => scoreDifficulty(model, input(text));

test('the shipped model sends hard requests over the default threshold and easy ones under it', () => {
  const hard = [
    'Prove rigorously that there are infinitely many prime numbers.',
    'Prove rigorously that the square root of 2 is irrational, step by step.',
    'Derive the closed form of the sum of the first n squares and prove it by induction.',
  ];
  const easy = [
    "Translate 'good morning' into French",
    'hi',
    'Thanks, that was helpful!',
    "Translate 'thank you very much' into Spanish",
  ];
  for (const text of hard)
    assert.ok(score(text) >= model.defaultThreshold, `${text}: ${score(text)} should be hard`);
  for (const text of easy)
    assert.ok(score(text) < model.defaultThreshold, `${text}: ${score(text)} should be easy`);
});

test('the score is a probability, the same every time for the same request', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 3000, unit: 'binary' }), (text) => {
      const a = score(text);
      assert.ok(a > 0 && a < 1, `score ${a}`);
      assert.equal(score(text), a);
    }),
    { numRuns: 300 },
  );
});

test('requests differing only past the head and before the tail score the same (bounded reading)', () => {
  const head = 'Explain the proof. '.repeat(HEAD_CHARS / 19 + 1).slice(0, HEAD_CHARS);
  const tail = ' Now summarise it.'.repeat(TAIL_CHARS / 18 + 1).slice(-TAIL_CHARS);
  const a = `${head} ${'x'.repeat(1_000_000)} ${tail}`;
  const b = `${head} ${'lorem ipsum dolor '.repeat(55_556).slice(0, 1_000_000)} ${tail}`;
  assert.equal(a.length, b.length);
  const fa = extractFeatures({ ...input(a), promptTokens: 1 }, 4096);
  const fb = extractFeatures({ ...input(b), promptTokens: 1 }, 4096);
  assert.deepEqual(fa, fb);
});

test('adversarial 1 MB inputs give a finite score and a bounded feature vector', () => {
  const megabyte = 1 << 20;
  const inputs = [
    'a'.repeat(megabyte),
    '`'.repeat(megabyte),
    '\n'.repeat(megabyte),
    '?'.repeat(megabyte),
    'prove '.repeat(megabyte / 6),
    '\ud800'.repeat(megabyte),
    '😀'.repeat(megabyte / 2),
    Array.from({ length: megabyte / 8 }, (_, i) => `w${i} `).join(''),
  ];
  for (const text of inputs) {
    const features = extractFeatures(input(text), model.buckets);
    // At most every dense feature plus two n-grams per word read, and a word needs a character.
    assert.ok(features.indices.length <= DENSE_FEATURES.length + HEAD_CHARS + TAIL_CHARS);
    assert.ok(features.values.every(Number.isFinite));
    const s = score(text);
    assert.ok(Number.isFinite(s) && s > 0 && s < 1);
  }
});

test('monotone marker classes have weights of their sign, so such markers never lower the score', () => {
  MARKER_CLASSES.forEach((c) => {
    const sign = MONOTONE[c];
    if (sign === undefined) return;
    const weight = model.weights[DENSE_FEATURES.indexOf(`marker:${c}`)] as number;
    assert.ok(sign * weight >= 0, `${c}: weight ${weight} has the wrong sign`);
  });
  // The same on the model as a function: raising a monotone feature never lowers the score.
  const base = extractFeatures(input('Tell me about rivers in Europe.'), model.buckets);
  for (const c of MARKER_CLASSES.filter((m) => MONOTONE[m] === 1)) {
    const i = DENSE_FEATURES.indexOf(`marker:${c}`);
    const z = (v: number) => {
      let sum = model.bias;
      base.indices.forEach((index, j) => {
        if (index !== i) sum += (model.weights[index] as number) * (base.values[j] as number);
      });
      return sum + (model.weights[i] as number) * v;
    };
    assert.ok(z(1) >= z(0), c);
  }
});

test('a model file trained on other features is refused with what to do', () => {
  const renamed = {
    ...modelFile,
    denseFeatures: ['chars', ...modelFile.denseFeatures.slice(1, -1)],
  };
  assert.throws(() => loadDifficultyModel(renamed), /trained on other features.*retrain/);
  assert.throws(
    () => loadDifficultyModel({ ...modelFile, bucketWeights: [[1 << 20, 1]] }),
    /out of range/,
  );
});

test('thresholdForShare turns a top-tier share into the matching percentile of training scores', () => {
  const percentiles = Array.from({ length: 101 }, (_, i) => i / 100);
  const cases: [string, number, number][] = [
    ['nothing to the top tier needs the highest score', 0, 1],
    ['everything to the top tier is the lowest score', 1, 0],
    ['30 % is the 70th percentile', 0.3, 0.7],
    ['a share between percentiles is interpolated', 0.255, 0.745],
  ];
  for (const [name, share, threshold] of cases)
    assert.ok(Math.abs(thresholdForShare(percentiles, share) - threshold) < 1e-9, name);
});
