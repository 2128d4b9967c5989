import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testConfig, testInput } from '../routing/fixtures.test-support.ts';
import { plan } from '../routing/plan.ts';
import { buildRouteIndex } from '../routing/route-index.ts';
import { defaultClassification } from '../routing/classify.ts';
import { reservationUSD } from './reservation.ts';

const index = buildRouteIndex(testConfig());
const route = index.routes.get('auto')!;
const budgetPlan = plan(route, defaultClassification(route), testInput(), {
  health: () => ({ circuit: 'closed' }),
  random: () => 0.5,
  latencyClass: undefined,
  sensitive: false,
  budget: 'normal',
});
// The plan escalates up to the premium tier, whose sonnet is the priciest target: $3/M in,
// $15/M out, 8192 max output tokens.
const usd = (prompt: number, output: number) => (prompt * 3 + output * 15) / 1_000_000;

test('a request without max_tokens reserves what the model can write at most', () => {
  const reserved = reservationUSD(budgetPlan, testInput({ promptTokens: 100 }), undefined);
  assert.ok(Math.abs(reserved - usd(100, 8192)) < 1e-12, String(reserved));
});

test('max_tokens, or the policy default, sets the output reserved, never past the model maximum', () => {
  const cases: [string, number | undefined, number | undefined, number][] = [
    ['the client’s max_tokens', 200, undefined, 200],
    ['max_tokens above the model maximum', 100_000, undefined, 8192],
    ['the policy’s reserveOutputTokens', undefined, 1000, 1000],
    ['the client wins over the policy default', 50, 1000, 50],
  ];
  for (const [what, maxOutputTokens, reserveOutputTokens, output] of cases) {
    const reserved = reservationUSD(
      budgetPlan,
      testInput({ promptTokens: 100, maxOutputTokens }),
      reserveOutputTokens === undefined ? {} : { reserveOutputTokens },
    );
    assert.ok(Math.abs(reserved - usd(100, output)) < 1e-12, `${what}: ${reserved}`);
  }
});
