import { CircuitBreaker, type CircuitState } from '../../core/health/circuit-breaker.ts';
import { LatencyWindow } from '../../core/health/latency-window.ts';
import type { TargetHealth } from '../../core/routing/plan.ts';
import type { ResolvedTarget } from '../../core/routing/route-index.ts';
import { RateWindow } from './rate-window.ts';

interface TargetStats {
  providerName: string;
  limits: ResolvedTarget['provider']['limits'];
  breaker: CircuitBreaker;
  ttft: LatencyWindow;
  total: LatencyWindow;
  settingsKey: string;
  /** The provider config these stats were last checked against (a new config brings new objects). */
  provider: ResolvedTarget['provider'];
}

/**
 * Health of every target this proxy has called: circuit breakers and latency windows, keyed by
 * `provider/model`. Local to the pod; each replica learns from its own traffic.
 */
export class HealthTracker {
  readonly #stats = new Map<string, TargetStats>();
  /** Rate limits are per provider (one account), not per model. */
  readonly #rates = new Map<string, RateWindow>();
  readonly #now: () => number;
  readonly #onStateChange: (key: string, state: CircuitState) => void;

  constructor(
    now: () => number,
    onStateChange: (key: string, state: CircuitState) => void = () => {},
  ) {
    this.#now = now;
    this.#onStateChange = onStateChange;
  }

  /** Health as plan() reads it. Unknown targets are healthy. */
  health(key: string): TargetHealth {
    const stats = this.#stats.get(key);
    if (stats === undefined) return { circuit: 'closed' };
    // (a target never called has no rate history either)
    const p95TtftMs = stats.ttft.quantile(0.95);
    const p50LatencyMs = stats.total.quantile(0.5);
    return {
      circuit: stats.breaker.state(this.#now()),
      rateLimited: this.#rateFor(stats.providerName).exhausted(stats.limits, this.#now()),
      ...(p95TtftMs === undefined ? {} : { p95TtftMs }),
      ...(p50LatencyMs === undefined ? {} : { p50LatencyMs }),
    };
  }

  /**
   * Asks the target's breaker and its provider's rate limits to admit one attempt (takes the
   * half-open trial slot if free). An admitted attempt must be closed with `attemptEnded`.
   */
  admit(target: ResolvedTarget): boolean {
    const stats = this.#statsFor(target);
    const rate = this.#rateFor(target.provider.name);
    if (rate.exhausted(target.provider.limits, this.#now())) return false;
    if (!stats.breaker.admit(this.#now())) return false;
    rate.started(this.#now());
    return true;
  }

  /** Closes an admitted attempt, counting the tokens it used against the provider's limits. */
  attemptEnded(target: ResolvedTarget, tokens: number): void {
    this.#rates.get(target.provider.name)?.ended(this.#now(), tokens);
  }

  /** Records a successful attempt and its latencies. */
  recordSuccess(target: ResolvedTarget, totalMs: number, ttftMs: number | undefined): void {
    const stats = this.#statsFor(target);
    const before = stats.breaker.state(this.#now());
    stats.breaker.recordSuccess(this.#now());
    stats.total.record(totalMs);
    if (ttftMs !== undefined) stats.ttft.record(ttftMs);
    this.#notify(target.key, before, stats);
  }

  /** Records a failed attempt (the provider's fault, not the caller's). */
  recordFailure(target: ResolvedTarget): void {
    const stats = this.#statsFor(target);
    const before = stats.breaker.state(this.#now());
    stats.breaker.recordFailure(this.#now());
    this.#notify(target.key, before, stats);
  }

  /** Ends a half-open trial without a verdict (client went away, or the caller's own error). */
  releaseTrial(target: ResolvedTarget): void {
    this.#stats.get(target.key)?.breaker.releaseTrial();
  }

  /** Forgets every target's history (breakers closed, latencies cleared). */
  reset(): void {
    this.#stats.clear();
    this.#rates.clear();
  }

  /** Latency quantiles of every tracked target, in milliseconds, for metrics. */
  latencies(): { key: string; kind: 'ttft' | 'total'; quantile: number; ms: number }[] {
    const out: { key: string; kind: 'ttft' | 'total'; quantile: number; ms: number }[] = [];
    for (const [key, stats] of this.#stats) {
      for (const [kind, window] of [
        ['ttft', stats.ttft],
        ['total', stats.total],
      ] as const) {
        for (const quantile of [0.5, 0.95]) {
          const ms = window.quantile(quantile);
          if (ms !== undefined) out.push({ key, kind, quantile, ms });
        }
      }
    }
    return out;
  }

  /** Every tracked target with its circuit state, for metrics. */
  states(): [string, CircuitState][] {
    const now = this.#now();
    return [...this.#stats].map(([key, stats]) => [key, stats.breaker.state(now)]);
  }

  #statsFor(target: ResolvedTarget): TargetStats {
    const stats = this.#stats.get(target.key);
    // Hot path: the same config object as last time, so the same settings.
    if (stats !== undefined && stats.provider === target.provider) return stats;
    const settingsKey = JSON.stringify([target.provider.circuitBreaker, target.provider.limits]);
    if (stats !== undefined && stats.settingsKey === settingsKey) {
      // A new config with equal settings: keep the breaker's state.
      stats.provider = target.provider;
      stats.limits = target.provider.limits;
      return stats;
    }
    // New target, or its breaker settings changed with a new config: start afresh.
    const fresh: TargetStats = {
      providerName: target.provider.name,
      limits: target.provider.limits,
      breaker: new CircuitBreaker(target.provider.circuitBreaker),
      ttft: stats?.ttft ?? new LatencyWindow(),
      total: stats?.total ?? new LatencyWindow(),
      settingsKey,
      provider: target.provider,
    };
    this.#stats.set(target.key, fresh);
    return fresh;
  }

  #rateFor(provider: string): RateWindow {
    let rate = this.#rates.get(provider);
    if (rate === undefined) {
      rate = new RateWindow();
      this.#rates.set(provider, rate);
    }
    return rate;
  }

  #notify(key: string, before: CircuitState, stats: TargetStats): void {
    const after = stats.breaker.state(this.#now());
    if (after !== before) this.#onStateChange(key, after);
  }
}
