import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RouteConfig } from '../config/router-config.ts';
import { demotionStep, gradedTargets, windowStats } from './demotion.ts';
import { evalLineOf, type JudgedSample } from './judged-sample.ts';
import {
  DEFAULT_RUBRIC,
  JUDGE_PROMPT_OPENING,
  MAX_JUDGED_ANSWER_CHARS,
  judgeRequest,
} from './judge-prompt.ts';
import { parseJudgeAnswer } from './judge-verdict.ts';
import { captureShare, judgeCaptured, tierShare } from './sampling.ts';

type Quality = NonNullable<RouteConfig['quality']>;

const quality = (overrides: Partial<Quality> = {}): Quality => ({
  judge: { provider: 'anthropic', model: 'sonnet' },
  samplePercent: 5,
  tierSamplePercent: { budget: 10, premium: 1 },
  timeoutMs: 1000,
  floor: 7,
  demotion: { below: 5, restoreAbove: 6.5, minSamples: 4, window: 10, probationPercent: 5 },
  maxConcurrency: 2,
  queueSize: 10,
  export: { maxSamples: 100, includeRequestText: false },
  ...overrides,
});

test('a judge answer is read as its first JSON object with a score from 1 to 10', () => {
  const cases: [string, string, { score: number; reason: string } | undefined][] = [
    ['a bare object', '{"score": 8, "reason": "Correct."}', { score: 8, reason: 'Correct.' }],
    [
      'an object in a code fence with prose around it',
      'Here you go:\n```json\n{"score": 3, "reason": "Wrong year"}\n```',
      { score: 3, reason: 'Wrong year' },
    ],
    ['a score given as a string', '{"score": "6", "reason": "ok"}', { score: 6, reason: 'ok' }],
    ['a missing reason becomes empty', '{"score": 10}', { score: 10, reason: '' }],
    ['a score above 10 is unusable', '{"score": 11, "reason": "x"}', undefined],
    ['a score of 0 is unusable', '{"score": 0}', undefined],
    ['a score that is not a number is unusable', '{"score": "great"}', undefined],
    ['prose without an object is unusable', 'I would give it a 7.', undefined],
    ['broken JSON is unusable', '{"score": 7,', undefined],
  ];
  for (const [name, text, expected] of cases)
    assert.deepEqual(parseJudgeAnswer(text), expected, name);
  assert.equal(
    parseJudgeAnswer(`{"score": 5, "reason": "${'x'.repeat(1000)}"}`)?.reason.length,
    280,
  );
});

test('the judge prompt carries the rubric, the conversation and the answer, bounded in length', () => {
  const request = judgeRequest(
    quality(),
    [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
    ],
    'Paris'.repeat(5000),
    'sonnet',
  );
  const [system, user] = request.messages.map((m) => m.content as string);
  assert.ok(system?.startsWith(JUDGE_PROMPT_OPENING));
  assert.ok(system?.includes(DEFAULT_RUBRIC), 'the default rubric');
  assert.ok(user?.includes('system: Be brief.\nuser: Capital of France?'));
  assert.ok((user?.length ?? 0) < MAX_JUDGED_ANSWER_CHARS + 200, 'the answer is cut');
  assert.equal(request.temperature, 0);
  const own = judgeRequest(quality({ rubric: 'Only SQL counts.' }), [], 'x', 'sonnet');
  assert.ok((own.messages[0]?.content as string).includes('Rubric: Only SQL counts.'));
});

test('each tier is judged at exactly its own share, though answers are captured at the highest', () => {
  const q = quality();
  assert.equal(captureShare(q, ['budget', 'standard', 'premium']), 0.1);
  assert.equal(tierShare(q, 'standard'), 0.05, 'a tier without an override takes samplePercent');
  fc.assert(
    fc.property(
      fc.constantFrom('budget', 'standard', 'premium'),
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      (tier, draw) => {
        // P(judged) = P(captured) · P(judged | captured) = captured · (share ÷ captured).
        const captured = captureShare(q, ['budget', 'standard', 'premium']);
        const judged = judgeCaptured(q, tier, captured, draw, false);
        return judged === draw < tierShare(q, tier) / captured;
      },
    ),
  );
  assert.equal(judgeCaptured(q, 'premium', 0.1, 0.99, true), true, 'probation is always judged');
  assert.equal(judgeCaptured(q, 'budget', 0, 0, false), false, 'nothing captured, nothing judged');
});

test('demotion has hysteresis: below the lower line demotes, above the upper one restores', () => {
  const d = quality().demotion!;
  const cases: [string, number[], boolean, string][] = [
    ['too few samples never demote', [1, 1, 1], false, 'hold'],
    ['a low mean over minSamples demotes', [4, 4, 5, 4], false, 'demote'],
    ['a mean between the lines keeps a good target', [6, 6, 6, 6], false, 'hold'],
    ['a mean between the lines keeps a demoted target demoted', [6, 6, 6, 6], true, 'hold'],
    ['a mean above restoreAbove restores', [7, 7, 7, 7], true, 'restore'],
    ['a high mean does nothing to a good target', [9, 9, 9, 9], false, 'hold'],
  ];
  for (const [name, scores, demoted, expected] of cases) {
    assert.equal(demotionStep(d, windowStats(scores, d.window), demoted), expected, name);
  }
  assert.deepEqual(windowStats([9, 1, 1], 1), { mean: 9, count: 1 }, 'the newest scores count');
  assert.deepEqual(windowStats([], 5), { mean: undefined, count: 0 });
});

test('the graded targets of a route are every tier target, once', () => {
  const tiers = [
    {
      name: 'a',
      strategy: 'cheapest' as const,
      targets: [{ provider: 'p', model: 'm', weight: 1 }],
    },
    {
      name: 'b',
      strategy: 'cheapest' as const,
      targets: [
        { provider: 'p', model: 'm', weight: 1 },
        { provider: 'q', model: 'n', weight: 1 },
      ],
    },
  ];
  assert.deepEqual(gradedTargets({ tiers }), ['p/m', 'q/n']);
});

test('a judged sample becomes an eval line labelled with the cheapest tier it shows adequate', () => {
  const sample: JudgedSample = {
    at: '2026-12-01T00:00:00Z',
    requestId: 'req_1',
    route: 'auto',
    policy: 'ai/auto',
    tiers: ['budget', 'standard', 'premium'],
    tier: 'budget',
    target: 'cheap/small',
    score: 8,
    reason: 'fine',
    floor: 7,
    messages: [{ role: 'user', content: 'hi' }],
  };
  assert.deepEqual(evalLineOf(sample), {
    id: 'req_1',
    messages: [{ role: 'user', content: 'hi' }],
    label: 'budget',
    grades: { budget: 8 },
  });
  assert.equal(evalLineOf({ ...sample, score: 3 }).label, 'standard', 'inadequate: one tier up');
  assert.equal(evalLineOf({ ...sample, tier: 'premium', score: 3 }).label, 'premium');
  const { messages: _m, ...withoutText } = sample;
  assert.equal('messages' in evalLineOf(withoutText), false, 'no text unless it was kept');
});
