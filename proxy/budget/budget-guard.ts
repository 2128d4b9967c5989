import {
  BUDGET_KEY_TTL_SECONDS,
  budgetKey,
  budgetMonth,
  budgetPressure,
  localShareMicroUSD,
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
  /** Made while the store was unreachable: counted in this pod until the store is back. */
  local: boolean;
}

/** What this pod knows of one budget counter (one route, one month). */
interface Counter {
  /** The fleet's total as the store last reported it; undefined until it was read once. */
  lastSeen: number | undefined;
  /** Spent (reserved, then settled) while the store was unreachable, not yet added to it. */
  unsynced: number;
  /** Reserved against the local share during the current outage (`localCap`). */
  outageSpent: number;
  /** The store reconnected: it may have restarted empty, so raise it to `lastSeen` first. */
  restore: boolean;
  /** A sync in progress: concurrent requests wait for it rather than add `unsynced` twice. */
  syncing: Promise<void> | undefined;
}

type Budget = NonNullable<RouteConfig['budget']>;

/** Seconds a client refused for lack of the budget store is told to wait. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/**
 * Enforces RoutePolicy budgets: reads the month's spend to set the routing pressure, reserves
 * each request's estimated cost before the call (atomically, fleet-wide with Redis), and settles
 * the difference after.
 *
 * While the shared state is unreachable each budget follows its `onStateUnavailable`: failOpen
 * keeps serving, failClosed refuses (503), localCap serves until this pod spent its share of what
 * was left. Whatever is spent meanwhile is counted here and added to the store when it is back;
 * and when it comes back, each counter is first raised to the total this pod last saw, so a
 * Redis that restarted empty does not start the month from zero (docs/adr/0011-budgets-when-redis-is-down.md).
 */
export class BudgetGuard {
  readonly #state: SharedState;
  readonly #wallNow: () => number;
  readonly #metrics: ProxyMetrics;
  readonly #log: LogSink;
  readonly #fleetSize: number;
  readonly #counters = new Map<string, Counter>();

  constructor(
    state: SharedState,
    wallNow: () => number,
    observers: { metrics: ProxyMetrics; log: LogSink },
    fleetSize = 1,
  ) {
    this.#state = state;
    this.#wallNow = wallNow;
    this.#metrics = observers.metrics;
    this.#log = observers.log;
    this.#fleetSize = fleetSize;
    state.onReconnect(() => {
      for (const counter of this.#counters.values()) counter.restore = true;
    });
  }

  /** The route's pressure now; an exhausted budget with `onExhausted: reject` is a 429. */
  async pressure(route: RouteConfig): Promise<BudgetPressure> {
    const budget = route.budget;
    if (budget === undefined) return 'normal';
    const key = this.#key(route);
    const counter = this.#counter(key);
    let spent: number;
    try {
      await this.#sync(key, counter);
      spent = await this.#state.read(key);
      this.#seen(counter, spent);
    } catch (error) {
      this.#unavailable(route, error);
      spent = this.#outagePressureSpend(route, budget, counter);
    }
    const pressure = budgetPressure(budget, spent);
    this.#metrics.budgetSpent.set({ route: route.alias }, spent / 1_000_000);
    this.#metrics.budgetLimit.set({ route: route.alias }, budget.monthlyUSD);
    if (pressure === 'exhausted' && budget.onExhausted === 'reject') throw this.#exhausted(route);
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
    const counter = this.#counter(key);
    const microUSD = toMicroUSD(estimateUSD);
    const limit =
      budget.onExhausted === 'reject' ? budget.monthlyUSD * 1_000_000 : Number.MAX_SAFE_INTEGER;
    let result: { ok: boolean; total: number };
    try {
      await this.#sync(key, counter);
      result = await this.#state.reserve(key, microUSD, limit, BUDGET_KEY_TTL_SECONDS);
    } catch (error) {
      this.#unavailable(route, error);
      return this.#reserveLocally(route, budget, key, counter, microUSD);
    }
    this.#seen(counter, result.total);
    if (!result.ok) throw this.#exhausted(route);
    return { key, microUSD, local: false };
  }

  /** Replaces the reservation by the real cost (0 when the request failed). */
  async settle(
    route: RouteConfig,
    reservation: Reservation | undefined,
    actualUSD: number,
  ): Promise<void> {
    if (reservation === undefined) return;
    const delta = toMicroUSD(actualUSD) - reservation.microUSD;
    const counter = this.#counter(reservation.key);
    if (reservation.local) {
      counter.unsynced += delta;
      counter.outageSpent += delta;
      return;
    }
    if (delta === 0) return;
    try {
      this.#seen(counter, await this.#state.adjust(reservation.key, delta, BUDGET_KEY_TTL_SECONDS));
    } catch (error) {
      this.#unavailable(route, error);
      counter.unsynced += delta; // added to the store once it is back
    }
  }

  /** A reservation while the store is unreachable, as the policy's onStateUnavailable says. */
  #reserveLocally(
    route: RouteConfig,
    budget: Budget,
    key: string,
    counter: Counter,
    microUSD: number,
  ): Reservation {
    switch (budget.onStateUnavailable) {
      case 'failClosed':
        throw this.#storeUnavailable(
          route,
          'the policy fails closed (onStateUnavailable: failClosed)',
        );
      case 'localCap': {
        const share = localShareMicroUSD(budget, counter.lastSeen, this.#fleetSize);
        if (budget.onExhausted === 'reject' && counter.outageSpent + microUSD > share)
          throw this.#shareSpent(route, share);
        break;
      }
      case 'failOpen':
        break;
    }
    counter.unsynced += microUSD;
    counter.outageSpent += microUSD;
    return { key, microUSD, local: true };
  }

  /**
   * The spend to judge the pressure by while the store is unreachable: what it last said plus
   * what this pod spent since; under localCap, all of the budget once the local share is spent.
   */
  #outagePressureSpend(route: RouteConfig, budget: Budget, counter: Counter): number {
    if (budget.onStateUnavailable === 'failClosed')
      throw this.#storeUnavailable(
        route,
        'the policy fails closed (onStateUnavailable: failClosed)',
      );
    const estimate = (counter.lastSeen ?? 0) + counter.unsynced;
    if (budget.onStateUnavailable !== 'localCap') return estimate;
    const share = localShareMicroUSD(budget, counter.lastSeen, this.#fleetSize);
    if (counter.outageSpent < share) return estimate;
    if (budget.onExhausted === 'reject') throw this.#shareSpent(route, share);
    return budget.monthlyUSD * 1_000_000; // the cheapest tier only, as at exhaustion
  }

  #shareSpent(route: RouteConfig, share: number): ProxyError {
    return this.#storeUnavailable(
      route,
      `this pod has spent its share ($${(share / 1_000_000).toFixed(6)}) of what was left of the budget (onStateUnavailable: localCap)`,
    );
  }

  /**
   * Brings the store up to date before using it: after a reconnection, raises the counter to
   * the total this pod last saw (a restarted Redis lost it), and adds what was spent meanwhile.
   */
  async #sync(key: string, counter: Counter): Promise<void> {
    if (!counter.restore && counter.unsynced === 0) return;
    counter.syncing ??= this.#restore(key, counter).finally(() => {
      counter.syncing = undefined;
    });
    await counter.syncing;
  }

  async #restore(key: string, counter: Counter): Promise<void> {
    const floor = counter.restore ? (counter.lastSeen ?? 0) : 0;
    const unsynced = counter.unsynced;
    const total = await this.#state.restore(key, floor, unsynced, BUDGET_KEY_TTL_SECONDS);
    counter.unsynced -= unsynced;
    counter.restore = false;
    counter.outageSpent = 0;
    this.#seen(counter, total);
    if (unsynced !== 0 || floor > 0)
      this.#log({
        time: new Date(this.#wallNow()).toISOString(),
        level: 'info',
        msg: 'budget store reachable again; counter restored',
        budgetKey: key,
        restoredToAtLeastUSD: floor / 1_000_000,
        addedUSD: unsynced / 1_000_000,
        totalUSD: total / 1_000_000,
      });
  }

  #counter(key: string): Counter {
    let counter = this.#counters.get(key);
    if (counter === undefined) {
      if (this.#counters.size >= 10_000) this.#counters.clear(); // old months, gone routes
      counter = {
        lastSeen: undefined,
        unsynced: 0,
        outageSpent: 0,
        restore: false,
        syncing: undefined,
      };
      this.#counters.set(key, counter);
    }
    return counter;
  }

  #seen(counter: Counter, total: number): void {
    counter.lastSeen = total;
  }

  /** Adds spend that was not reserved beforehand (a judge call) to the route's month. */
  async charge(route: RouteConfig, usd: number): Promise<void> {
    if (route.budget === undefined || usd <= 0) return;
    const key = this.#key(route);
    const counter = this.#counter(key);
    const microUSD = toMicroUSD(usd);
    try {
      this.#seen(counter, await this.#state.adjust(key, microUSD, BUDGET_KEY_TTL_SECONDS));
    } catch (error) {
      this.#unavailable(route, error);
      counter.unsynced += microUSD; // added to the store once it is back, as settle() does
    }
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

  #storeUnavailable(route: RouteConfig, why: string): ProxyError {
    this.#metrics.budgetRejections.inc({ route: route.alias });
    return new ProxyError(
      'BUDGET_UNAVAILABLE',
      `the budget store of policy ${route.namespace}/${route.policy} is unreachable and ${why}; retry shortly`,
      { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS },
    );
  }

  #unavailable(route: RouteConfig, error: unknown): void {
    this.#metrics.budgetErrors.inc({ route: route.alias });
    this.#log({
      time: new Date(this.#wallNow()).toISOString(),
      level: 'warn',
      msg: `budget store unavailable; ${route.budget?.onStateUnavailable ?? 'failOpen'}`,
      route: route.alias,
      error: (error as Error).message,
    });
  }
}
