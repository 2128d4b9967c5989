import type { RouteConfig } from '../config/router-config.ts';
import { estimateCostUSD } from '../cost/cost.ts';
import type { Plan } from '../routing/plan.ts';
import type { RoutingInput } from '../routing/routing-input.ts';

/**
 * What a budget reserves for a request before its call: the most any planned target could
 * charge. Output is priced at the client's max_tokens, or, when it sets none, at the policy's
 * `budget.reserveOutputTokens` or else the model's maxOutputTokens, always capped at that
 * maximum: the most the model can write. A guess of a typical answer instead let requests
 * without max_tokens spend $12.55 against a $5 budget.
 */
export function reservationUSD(
  routePlan: Plan,
  input: Pick<RoutingInput, 'promptTokens' | 'maxOutputTokens'>,
  budget: Pick<NonNullable<RouteConfig['budget']>, 'reserveOutputTokens'> | undefined,
): number {
  let most = 0;
  for (const { target } of routePlan.attempts) {
    const cap = target.model.maxOutputTokens;
    const output = Math.min(input.maxOutputTokens ?? budget?.reserveOutputTokens ?? cap, cap);
    most = Math.max(most, estimateCostUSD(input.promptTokens, output, target.model.pricing));
  }
  return most;
}
