import type { RouteConfig } from '../config/router-config.ts';

/** Budgets are counted in micro-dollars: integers, so Redis can add them atomically and exactly. */
export const MICRO_USD_PER_USD = 1_000_000;

/** How close a route is to its monthly budget. */
export type BudgetPressure = 'normal' | 'downgrade' | 'exhausted';

/** USD → micro-dollars, rounded up so a reservation never under-counts. */
export function toMicroUSD(usd: number): number {
  return Math.ceil(usd * MICRO_USD_PER_USD);
}

/** The calendar month (UTC) of a wall-clock time, as `YYYY-MM`: budgets reset at month start. */
export function budgetMonth(wallMs: number): string {
  const date = new Date(wallMs);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The shared counter of one route's spend in one month. */
export function budgetKey(route: Pick<RouteConfig, 'namespace' | 'alias'>, month: string): string {
  return `switchyard:budget:${route.namespace}:${route.alias}:${month}`;
}

/** Pressure from what was spent (reserved included) against the route's budget. */
export function budgetPressure(
  budget: Pick<NonNullable<RouteConfig['budget']>, 'monthlyUSD' | 'downgradeAtPercent'>,
  spentMicroUSD: number,
): BudgetPressure {
  const limit = budget.monthlyUSD * MICRO_USD_PER_USD;
  if (spentMicroUSD >= limit) return 'exhausted';
  if (spentMicroUSD >= (limit * budget.downgradeAtPercent) / 100) return 'downgrade';
  return 'normal';
}

/** Seconds a month's counter is kept: long enough to outlive the month it counts. */
export const BUDGET_KEY_TTL_SECONDS = 40 * 24 * 3600;

/**
 * What one pod may spend of a budget while the shared store is unreachable (`localCap`): its
 * share of what was left when it last read the store. Dividing by the fleet's largest size
 * keeps the whole fleet within the remainder however many pods serve. A pod that never read the
 * store knows nothing of the month's spend, so its share is 0.
 */
export function localShareMicroUSD(
  budget: Pick<NonNullable<RouteConfig['budget']>, 'monthlyUSD'>,
  lastSeenMicroUSD: number | undefined,
  fleetSize: number,
): number {
  if (lastSeenMicroUSD === undefined) return 0;
  const remaining = budget.monthlyUSD * MICRO_USD_PER_USD - lastSeenMicroUSD;
  return Math.max(0, Math.floor(remaining / Math.max(1, fleetSize)));
}
