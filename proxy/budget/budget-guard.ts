import {
  BUDGET_KEY_TTL_SECONDS,
  budgetKey,
  budgetMonth,
  budgetPressure,
  toMicroUSD,
  type BudgetPressure,
} from '../../core/budget/budget.ts';
import type { RouteConfig } from '../../core/config/router-config.ts';
import { ProxyError } from '../errors/proxy-error.ts';
import type { LogSink } from '../log/request-log.ts';
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts';
import type { SharedState } from '../state/shared-state.ts';

/** Money set aside for one request before its call; settled against the real cost after. */
export interface Reservation {
  key: string;
  microUSD: number;
}

/**
 * Enforces RoutePolicy budgets: reads the month's spend to set the routing pressure, reserves
 * each request's estimated cost before the call (atomically, fleet-wide with Redis), and settles
 * the difference after. When the shared state is unreachable the guard fails open — requests keep
 * flowing, counted in `switchyard_budget_errors_total` — because an outage of the accounting
 * store should not become an outage of every application.
 */
export class BudgetGuard {
  readonly #state: SharedState;
  readonly #wallNow: () => number;
  readonly #metrics: ProxyMetrics;
  readonly #log: LogSink;

  constructor(state: SharedState, wallNow: () => number, metrics: ProxyMetrics, log: LogSink) {
    this.#state = state;
    this.#wallNow = wallNow;
    this.#metrics = metrics;
    this.#log = log;
  }

  /** The route's pressure now; an exhausted budget with `onExhausted: reject` is a 429. */
  async pressure(route: RouteConfig): Promise<BudgetPressure> {
    if (route.budget === undefined) return 'normal';
    const spent = await this.#safely(route, () => this.#state.read(this.#key(route)), 0);
    const pressure = budgetPressure(route.budget, spent);
    this.#metrics.budgetSpent.set({ route: route.alias }, spent / 1_000_000);
    if (pressure === 'exhausted' && route.budget.onExhausted === 'reject')
      throw this.#exhausted(route);
    return pressure;
  }

  /**
   * Reserves `estimateUSD`. Past the budget, a `reject` policy answers 429 and a `cheapest`
   * policy keeps serving (its plan already holds to the cheapest tier) and keeps counting.
   */
  async reserve(route: RouteConfig, estimateUSD: number): Promise<Reservation | undefined> {
    const budget = route.budget;
    if (budget === undefined) return undefined;
    const key = this.#key(route);
    const microUSD = toMicroUSD(estimateUSD);
    const limit =
      budget.onExhausted === 'reject' ? budget.monthlyUSD * 1_000_000 : Number.MAX_SAFE_INTEGER;
    const result = await this.#safely(
      route,
      () => this.#state.reserve(key, microUSD, limit, BUDGET_KEY_TTL_SECONDS),
      { ok: true, total: 0 },
    );
    if (!result.ok) throw this.#exhausted(route);
    return { key, microUSD };
  }

  /** Replaces the reservation by the real cost (0 when the request failed). */
  async settle(
    route: RouteConfig,
    reservation: Reservation | undefined,
    actualUSD: number,
  ): Promise<void> {
    if (reservation === undefined) return;
    const delta = toMicroUSD(actualUSD) - reservation.microUSD;
    if (delta !== 0)
      await this.#safely(
        route,
        () => this.#state.adjust(reservation.key, delta, BUDGET_KEY_TTL_SECONDS),
        0,
      );
  }

  /** Adds spend that was not reserved beforehand (a judge call) to the route's month. */
  async charge(route: RouteConfig, usd: number): Promise<void> {
    if (route.budget === undefined || usd <= 0) return;
    const key = this.#key(route);
    await this.#safely(
      route,
      () => this.#state.adjust(key, toMicroUSD(usd), BUDGET_KEY_TTL_SECONDS),
      0,
    );
  }

  #key(route: RouteConfig): string {
    return budgetKey(route, budgetMonth(this.#wallNow()));
  }

  #exhausted(route: RouteConfig): ProxyError {
    this.#metrics.budgetRejections.inc({ route: route.alias });
    return new ProxyError(
      'BUDGET_EXHAUSTED',
      `the monthly budget of policy ${route.namespace}/${route.policy} ($${route.budget?.monthlyUSD ?? 0}) is spent; it resets at the start of next month (UTC)`,
    );
  }

  async #safely<T>(route: RouteConfig, action: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await action();
    } catch (error) {
      this.#metrics.budgetErrors.inc({ route: route.alias });
      this.#log({
        time: new Date(this.#wallNow()).toISOString(),
        level: 'warn',
        msg: 'budget store unavailable; failing open',
        route: route.alias,
        error: (error as Error).message,
      });
      return fallback;
    }
  }
}
