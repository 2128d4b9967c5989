import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePgr, curveFromScores, performanceGapRecovered } from './curve.ts';
import { parseDataset } from './dataset.ts';
import { gradeOf, summarise, type EvalOutcome } from './metrics.ts';

const tiers = ['budget', 'standard', 'premium'];
const outcome = (o: Partial<EvalOutcome>): EvalOutcome => ({
  label: 'budget',
  tier: 'budget',
  source: 'scorer',
  score: undefined,
  costUSD: 1,
  cheapestCostUSD: 1,
  topCostUSD: 10,
  grades: { budget: 0, premium: 1 },
  ...o,
});

test('summarise counts shares, recall, precision, adequacy and cost by hand-checked figures', () => {
  const s = summarise(
    [
      outcome({ label: 'budget', tier: 'budget', grades: { budget: 1, premium: 1 } }),
      outcome({ label: 'budget', tier: 'premium', costUSD: 10, grades: { budget: 1, premium: 1 } }),
      outcome({
        label: 'premium',
        tier: 'premium',
        costUSD: 10,
        grades: { budget: 0, premium: 1 },
      }),
      outcome({
        label: 'premium',
        tier: 'budget',
        source: 'rule',
        grades: { budget: 0, premium: 1 },
      }),
    ],
    tiers,
  );
  assert.deepEqual(s.tiers, [
    { tier: 'budget', routed: 2, share: 0.5, labelled: 2, recall: 0.5, precision: 0.5 },
    { tier: 'standard', routed: 0, share: 0, labelled: 0, recall: null, precision: null },
    { tier: 'premium', routed: 2, share: 0.5, labelled: 2, recall: 0.5, precision: 0.5 },
  ]);
  assert.deepEqual(s.sources, { scorer: 3, rule: 1 });
  assert.equal(s.adequacy, 0.75);
  assert.equal(s.overProvisioned, 0.25);
  assert.deepEqual(s.cost, {
    routedUSD: 22,
    alwaysTopUSD: 40,
    alwaysCheapestUSD: 4,
    savedVsTop: 1 - 22 / 40,
    costShare: 0.5,
  });
  assert.deepEqual(s.quality, {
    routed: 0.75,
    alwaysTop: 1,
    alwaysCheapest: 0.5,
    performanceGapRecovered: 0.5,
  });
});

test('a refused prompt is inadequate and earns no quality; without grades there is no quality', () => {
  const s = summarise([outcome({ tier: undefined, costUSD: 0 })], tiers);
  assert.equal(s.refused, 1);
  assert.equal(s.adequacy, 0);
  assert.equal(s.quality?.routed, 0);
  assert.equal(summarise([outcome({ grades: undefined })], tiers).quality, undefined);
});

test('a tier without a grade counts as the graded tier below it, else the one above', () => {
  const grades = { budget: 0.2, premium: 0.9 };
  assert.equal(gradeOf(grades, 'standard', tiers), 0.2);
  assert.equal(gradeOf({ premium: 0.9 }, 'budget', tiers), 0.9);
  assert.equal(gradeOf({}, 'budget', tiers), undefined);
});

test('APGR: random routing scores 0.5, an oracle more, an inverted router less', () => {
  // Half the prompts gain from the top tier (0 → 1), half do not (1 → 1).
  const cheap = [0, 0, 1, 1];
  const top = [1, 1, 1, 1];
  const apgr = (scores: number[]) => averagePgr(curveFromScores(scores, cheap, top), 0.5, 1);
  assert.equal(apgr([0.5, 0.5, 0.5, 0.5]), 0.5, 'every score the same is a straight line');
  assert.equal(apgr([0.9, 0.8, 0.1, 0.2]), 0.75, 'the oracle recovers the gap by half the share');
  assert.equal(apgr([0.1, 0.2, 0.9, 0.8]), 0.25);
  assert.equal(performanceGapRecovered(0.7, 0.7, 0.7), 0, 'no gap, nothing to recover');
});

test('dataset lines: prompt, messages or request, each bad line reported with its number', () => {
  const text = [
    '{"prompt":"hi","label":"budget"}',
    '{"messages":[{"role":"user","content":"yo"}],"label":"premium","grades":{"budget":0.1,"premium":0.9}}',
    '{"request":{"messages":[{"role":"user","content":"x"}],"max_tokens":5},"label":"budget","headers":{"X-Task":"code"}}',
    '',
    'not json',
    '{"prompt":"a","messages":[],"label":"budget"}',
    '{"prompt":"a"}',
    '{"request":{"messages":"nope"},"label":"budget"}',
  ].join('\n');
  const { items, problems } = parseDataset(text, 'auto');
  assert.deepEqual(
    items.map((i) => [i.id, i.line, i.label, i.request.model, i.headers]),
    [
      ['line 1', 1, 'budget', 'auto', {}],
      ['line 2', 2, 'premium', 'auto', {}],
      ['line 3', 3, 'budget', 'auto', { 'x-task': 'code' }],
    ],
  );
  assert.equal(items[2]?.request.max_tokens, 5);
  assert.deepEqual(
    problems.map((p) => p.line),
    [5, 6, 7, 8],
  );
  assert.match(problems[1]?.message ?? '', /exactly one of prompt, messages or request/);
  assert.match(problems[2]?.message ?? '', /label/);
  assert.match(problems[3]?.message ?? '', /not a chat completion request: messages/);
});
