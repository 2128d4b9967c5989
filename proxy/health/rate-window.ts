import type { ProviderConfig } from '../../core/config/router-config.ts';

const WINDOW_SECONDS = 60;

/**
 * A provider's own limits, enforced before calling it: requests and tokens per minute over a
 * sliding window of one-second buckets, and requests in flight. Local to the pod.
 */
export class RateWindow {
  readonly #requests = new Map<number, number>();
  readonly #tokens = new Map<number, number>();
  #inFlight = 0;

  /** True when one more request would break a limit right now. */
  exhausted(limits: ProviderConfig['limits'], nowMs: number): boolean {
    if (limits.maxConcurrency !== undefined && this.#inFlight >= limits.maxConcurrency) return true;
    if (
      limits.requestsPerMinute !== undefined &&
      sum(this.#requests, nowMs) >= limits.requestsPerMinute
    )
      return true;
    return (
      limits.tokensPerMinute !== undefined && sum(this.#tokens, nowMs) >= limits.tokensPerMinute
    );
  }

  /** Counts a request starting. */
  started(nowMs: number): void {
    this.#inFlight += 1;
    bump(this.#requests, nowMs, 1);
  }

  /** Counts a request ending, with the tokens it used. */
  ended(nowMs: number, tokens: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (tokens > 0) bump(this.#tokens, nowMs, tokens);
  }
}

function bump(buckets: Map<number, number>, nowMs: number, amount: number): void {
  const second = Math.floor(nowMs / 1000);
  buckets.set(second, (buckets.get(second) ?? 0) + amount);
  if (buckets.size > WINDOW_SECONDS + 1) {
    for (const key of buckets.keys()) if (key <= second - WINDOW_SECONDS) buckets.delete(key);
  }
}

function sum(buckets: Map<number, number>, nowMs: number): number {
  const oldest = Math.floor(nowMs / 1000) - WINDOW_SECONDS;
  let total = 0;
  for (const [second, count] of buckets) if (second > oldest) total += count;
  return total;
}
