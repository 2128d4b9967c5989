import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileLinear, LinearPatternSet, patternProblem, PatternError } from './linear-regex.ts';

/**
 * Runs `match` and fails when it takes longer than `deadlineMs`. The inputs below take V8's
 * backtracking engine longer than the age of the universe (2^n steps for n ≥ 50 000); the linear
 * engine needs milliseconds, so the generous deadline holds even on a loaded machine.
 */
function withinDeadline(deadlineMs: number, match: () => boolean): boolean {
  const started = performance.now();
  const result = match();
  const tookMs = performance.now() - started;
  assert.ok(tookMs < deadlineMs, `took ${tookMs.toFixed(0)} ms, the deadline is ${deadlineMs} ms`);
  return result;
}

const EVIL = [
  ['nested quantifiers', '(a+)+$', `${'a'.repeat(50_000)}!`],
  ['an alternation that overlaps itself', '^(a|aa)+$', `${'a'.repeat(50_000)}!`],
  [
    'the classic e-mail ReDoS',
    '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
    `${'a'.repeat(50_000)}!`,
  ],
  ['polynomial backtracking', '^\\s*#?\\s*$', `${' '.repeat(50_000)}x`],
] as const;

for (const [what, pattern, input] of EVIL) {
  test(`a pattern with ${what} runs in linear time on a 50 000-character adversarial input`, () => {
    const regex = compileLinear(pattern);
    assert.equal(
      withinDeadline(2000, () => regex.test(input)),
      false,
    );
  });
}

test('a set of adversarial patterns runs in one linear pass', () => {
  const set = new LinearPatternSet(EVIL.map(([, pattern]) => pattern));
  assert.equal(
    withinDeadline(2000, () => set.test(`${'a'.repeat(50_000)}!`)),
    false,
  );
  assert.equal(set.test('aaa'), true);
});

test('patterns match as they would in JavaScript for the common syntax', () => {
  const cases: [string, string, boolean][] = [
    ['\\b\\d{3}-\\d{2}-\\d{4}\\b', 'my ssn is 123-45-6789.', true],
    ['\\b\\d{3}-\\d{2}-\\d{4}\\b', 'order 1234-56-78901', false],
    ['(?i)step[- ]by[- ]step', 'Think STEP BY STEP', true],
    ['^summar', 'summarise this', true],
    ['\\u00e9t\\u00e9', 'un été chaud', true],
    ['(?<word>ab)c', 'xxabc', true],
    ['[(?=]x', '(x', true],
    ['\\\\1', 'a\\1', true],
  ];
  for (const [pattern, text, expected] of cases) {
    assert.equal(compileLinear(pattern).test(text), expected, `${pattern} on ${text}`);
  }
});

test('ignoreCase matches letters in any case', () => {
  assert.equal(compileLinear('abc', { ignoreCase: true }).test('xABCx'), true);
});

test('constructs the engine cannot run are rejected with the construct and a rewrite', () => {
  const cases: [string, RegExp][] = [
    ['(a)\\1', /backreferences .*match the repeated text explicitly/],
    ['(?<q>a)\\k<q>', /backreferences/],
    ['foo(?=bar)', /lookahead .*match the text itself/],
    ['foo(?!bar)', /lookahead/],
    ['(?<=\\$)\\d+', /lookbehind .*include the preceding text/],
    ['(?<!x)y', /lookbehind/],
  ];
  for (const [pattern, message] of cases) {
    assert.throws(() => compileLinear(pattern), PatternError, pattern);
    assert.match(patternProblem(pattern) ?? '', message, pattern);
  }
});

test('a pattern that does not parse is rejected with the parser error', () => {
  assert.match(patternProblem('a{2,1}') ?? '', /invalid repeat count/);
  assert.match(patternProblem('(unclosed') ?? '', /missing closing \)/);
  assert.equal(patternProblem('\\d+'), undefined);
});

test('an empty set matches nothing', () => {
  assert.equal(new LinearPatternSet([]).test('anything'), false);
});
