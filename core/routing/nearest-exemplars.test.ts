import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosine, voteByNeighbours } from './nearest-exemplars.ts';

const v = (...xs: number[]) => Float32Array.from(xs);
const tiers = ['budget', 'standard', 'premium'];
const exemplars = [
  { vector: v(1, 0, 0), tier: 'premium' },
  { vector: v(0.9, 0.1, 0), tier: 'premium' },
  { vector: v(0, 1, 0), tier: 'budget' },
  { vector: v(0, 0.9, 0.1), tier: 'budget' },
];

test('the nearest exemplars vote by similarity; confidence is the winner’s share', () => {
  const cases: [string, Float32Array, number, string, number][] = [
    ['next to the premium ones, k=2: unanimous', v(1, 0.05, 0), 2, 'premium', 1],
    ['next to the budget ones, k=2: unanimous', v(0.05, 1, 0), 2, 'budget', 1],
  ];
  for (const [name, query, k, tier, confidence] of cases) {
    const vote = voteByNeighbours(query, exemplars, k, tiers);
    assert.equal(vote?.tier, tier, name);
    assert.ok(Math.abs((vote?.confidence ?? 0) - confidence) < 1e-6, name);
  }
  const between = voteByNeighbours(v(1, 1, 0), exemplars, 4, tiers);
  assert.ok(between !== undefined && between.confidence < 0.6, 'halfway is not confident');
});

test('a tie goes to the more capable tier, and no exemplars give no vote', () => {
  const tie = [
    { vector: v(1, 0), tier: 'budget' },
    { vector: v(1, 0), tier: 'premium' },
  ];
  assert.equal(voteByNeighbours(v(1, 0), tie, 2, tiers)?.tier, 'premium');
  assert.equal(voteByNeighbours(v(1, 0), [], 2, tiers), undefined);
  assert.equal(cosine(v(0, 0), v(1, 0)), 0);
  assert.ok(Math.abs(cosine(v(1, 2), v(2, 4)) - 1) < 1e-6);
});
