import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scorerConfigOf } from '../compile/scorer-config.ts';
import { builtinScorer } from '../difficulty/builtin.ts';
import { thresholdForShare } from '../difficulty/model.ts';
import { classifyByScorer } from './classify-by-scorer.ts';
import { testConfig, testInput, testRoute } from './fixtures.test-support.ts';
import { buildRouteIndex } from './route-index.ts';

const tiers = [{ name: 'budget' }, { name: 'standard' }, { name: 'premium' }];
const model = builtinScorer('difficulty-v1');

test('compile turns the scorer spec into thresholds, most capable tier first', () => {
  const cases: [string, Parameters<typeof scorerConfigOf>[0], ReturnType<typeof scorerConfigOf>][] =
    [
      [
        'no thresholds and no share: the model default for the top tier',
        { model: 'difficulty-v1' },
        {
          model: 'difficulty-v1',
          thresholds: [{ tier: 'premium', minScore: model.defaultThreshold }],
          from: 'default',
        },
      ],
      [
        'explicit thresholds are sorted by tier order, most capable first',
        {
          model: 'difficulty-v1',
          thresholds: [
            { tier: 'standard', minScore: 0.5 },
            { tier: 'premium', minScore: 0.8 },
          ],
        },
        {
          model: 'difficulty-v1',
          thresholds: [
            { tier: 'premium', minScore: 0.8 },
            { tier: 'standard', minScore: 0.5 },
          ],
          from: 'thresholds',
        },
      ],
      [
        'a premium share becomes the percentile of the training scores',
        { model: 'difficulty-v1', premiumShare: 0.3 },
        {
          model: 'difficulty-v1',
          thresholds: [
            {
              tier: 'premium',
              minScore: Math.round(thresholdForShare(model.percentiles, 0.3) * 1e6) / 1e6,
            },
          ],
          from: 'premiumShare',
        },
      ],
    ];
  for (const [name, spec, expected] of cases)
    assert.deepEqual(scorerConfigOf(spec, tiers), expected, name);
  // A smaller share asks for a higher score.
  const at = (share: number) =>
    scorerConfigOf({ model: 'difficulty-v1', premiumShare: share }, tiers).thresholds[0]!.minScore;
  assert.ok(at(0.1) > at(0.3) && at(0.3) > at(0.6));
});

test('the scorer picks the most capable tier whose threshold the score reaches, else the default', () => {
  const route = (thresholds: { tier: string; minScore: number }[]) =>
    buildRouteIndex(
      testConfig(
        testRoute({
          classification: {
            default: 'budget',
            rules: [],
            allowClientTier: false,
            scorer: { model: 'difficulty-v1', thresholds, from: 'thresholds' },
          },
        }),
      ),
    ).routes.get('auto')!;
  const proof = testInput({
    lastUserText: 'Prove rigorously that there are infinitely many prime numbers.',
  });
  const greeting = testInput({ lastUserText: "Translate 'good morning' into French" });
  const three = route([
    { tier: 'premium', minScore: 0.8 },
    { tier: 'standard', minScore: 0.5 },
  ]);
  const proofScore = classifyByScorer(three, proof)!.score!;
  const greetingScore = classifyByScorer(three, greeting)!.score!;
  assert.ok(proofScore > greetingScore);
  const cases: [string, { tier: string; minScore: number }[], string][] = [
    ['above every threshold: the top tier', [{ tier: 'premium', minScore: 0 }], 'premium'],
    ['below every threshold: the default tier', [{ tier: 'premium', minScore: 1 }], 'budget'],
    [
      'between two thresholds: the lower tier',
      [
        { tier: 'premium', minScore: 1 },
        { tier: 'standard', minScore: 0 },
      ],
      'standard',
    ],
  ];
  for (const [name, thresholds, tier] of cases) {
    const c = classifyByScorer(route(thresholds), proof);
    assert.deepEqual(c, { tier, source: 'scorer', preferTags: [], score: proofScore }, name);
  }
  const noScorer = buildRouteIndex(testConfig(testRoute())).routes.get('auto')!;
  assert.equal(classifyByScorer(noScorer, proof), undefined);
});
