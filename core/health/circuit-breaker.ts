import type { ProviderConfig } from '../config/router-config.ts';

/** Settings of a breaker; the provider's `circuitBreaker` block. */
export type BreakerSettings = ProviderConfig['circuitBreaker'];

/** Circuit states: closed (normal), open (skip), half-open (one trial request allowed). */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker for one target. Pure: every method takes the current time in milliseconds.
 * Opens on `consecutiveFailures` in a row, or on `failureRatePercent` over `windowSeconds` once
 * `minimumRequests` were seen. After the cooldown one trial request is let through (half-open);
 * its failure re-opens the circuit with a doubled cooldown (capped), its success closes it.
 * Failures reported while open (requests already in flight) do not extend the cooldown.
 */
export class CircuitBreaker {
  readonly #settings: BreakerSettings;
  #state: 'closed' | 'open' = 'closed';
  #consecutive = 0;
  #openUntilMs = 0;
  #cooldownMs: number;
  #trialInFlight = false;
  /** Per-second buckets of [successes, failures] for the failure-rate window. */
  #buckets = new Map<number, [number, number]>();

  constructor(settings: BreakerSettings) {
    this.#settings = settings;
    this.#cooldownMs = settings.cooldownSeconds * 1000;
  }

  /** The state as routing should see it at `nowMs`. */
  state(nowMs: number): CircuitState {
    if (this.#state === 'closed') return 'closed';
    if (nowMs < this.#openUntilMs || this.#trialInFlight) return 'open';
    return 'half-open';
  }

  /**
   * Called when an attempt is about to start. In half-open state the first caller takes the
   * trial slot; returns false when the circuit does not admit the request.
   */
  admit(nowMs: number): boolean {
    const state = this.state(nowMs);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    this.#trialInFlight = true;
    return true;
  }

  /** Records a successful attempt. */
  recordSuccess(nowMs: number): void {
    this.#bump(nowMs, 0);
    this.#consecutive = 0;
    if (this.#state === 'open' && this.#trialInFlight) {
      this.#state = 'closed';
      this.#trialInFlight = false;
      this.#cooldownMs = this.#settings.cooldownSeconds * 1000;
      this.#buckets.clear();
    }
  }

  /** Records a failed attempt (timeout, connection error, 5xx, 429). */
  recordFailure(nowMs: number): void {
    if (this.#state === 'open') {
      if (this.#trialInFlight) {
        this.#trialInFlight = false;
        this.#cooldownMs = Math.min(this.#cooldownMs * 2, this.#settings.maxCooldownSeconds * 1000);
        this.#openUntilMs = nowMs + this.#cooldownMs;
      }
      return;
    }
    this.#bump(nowMs, 1);
    this.#consecutive += 1;
    if (
      this.#consecutive >= this.#settings.consecutiveFailures ||
      this.#failureRateExceeded(nowMs)
    ) {
      this.#state = 'open';
      this.#openUntilMs = nowMs + this.#cooldownMs;
    }
  }

  /** Releases a half-open trial that ended without a verdict (e.g. the client went away). */
  releaseTrial(): void {
    this.#trialInFlight = false;
  }

  #bump(nowMs: number, index: 0 | 1): void {
    const second = Math.floor(nowMs / 1000);
    const bucket = this.#buckets.get(second) ?? [0, 0];
    bucket[index] += 1;
    this.#buckets.set(second, bucket);
    const oldest = second - this.#settings.windowSeconds;
    if (this.#buckets.size > this.#settings.windowSeconds + 1) {
      for (const key of this.#buckets.keys()) if (key <= oldest) this.#buckets.delete(key);
    }
  }

  #failureRateExceeded(nowMs: number): boolean {
    const oldest = Math.floor(nowMs / 1000) - this.#settings.windowSeconds;
    let ok = 0;
    let failed = 0;
    for (const [second, [s, f]] of this.#buckets) {
      if (second <= oldest) continue;
      ok += s;
      failed += f;
    }
    const total = ok + failed;
    return (
      total >= this.#settings.minimumRequests &&
      (failed * 100) / total >= this.#settings.failureRatePercent
    );
  }
}
