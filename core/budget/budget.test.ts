import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgetKey,
  budgetMonth,
  budgetPressure,
  localShareMicroUSD,
  toMicroUSD,
} from './budget.ts';

test('budget months are UTC calendar months', () => {
  assert.equal(budgetMonth(Date.UTC(2026, 10, 30, 23, 59)), '2026-11');
  assert.equal(budgetMonth(Date.UTC(2026, 11, 1, 0, 0)), '2026-12');
  assert.equal(
    budgetKey({ namespace: 'ai', alias: 'auto' }, '2026-11'),
    'switchyard:budget:ai:auto:2026-11',
  );
});

test('pressure turns to downgrade at the threshold and to exhausted at the budget', () => {
  const budget = { monthlyUSD: 10, downgradeAtPercent: 80, onExhausted: 'cheapest' as const };
  assert.equal(budgetPressure(budget, toMicroUSD(7.99)), 'normal');
  assert.equal(budgetPressure(budget, toMicroUSD(8)), 'downgrade');
  assert.equal(budgetPressure(budget, toMicroUSD(10)), 'exhausted');
});

test('micro-dollar conversion rounds up, so reservations never under-count', () => {
  assert.equal(toMicroUSD(0.0000001), 1);
  assert.equal(toMicroUSD(1.5), 1_500_000);
});

test('a pod’s local share is its part of what was left when it last saw the store', () => {
  const budget = { monthlyUSD: 10 };
  assert.equal(localShareMicroUSD(budget, toMicroUSD(4), 3), toMicroUSD(2));
  assert.equal(localShareMicroUSD(budget, toMicroUSD(12), 3), 0, 'overspent: nothing left');
  assert.equal(localShareMicroUSD(budget, undefined, 3), 0, 'never seen: nothing known');
  assert.equal(localShareMicroUSD(budget, 0, 0), toMicroUSD(10), 'a fleet of at least one');
});
