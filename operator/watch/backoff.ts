/** Exponential backoff with jitter: how long to wait before the next attempt. */
export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Largest delay. */
  maxMs: number;
  /** Source of randomness in [0, 1); injected so tests can pin it. Defaults to Math.random. */
  random?: () => number;
}

/**
 * Doubles the delay after each failure up to `maxMs`, with "equal jitter" (half fixed, half
 * random) so that many operators or proxies restarting together do not hit the API server in step.
 */
export class Backoff {
  readonly #options: BackoffOptions;
  #failures = 0;

  constructor(options: BackoffOptions) {
    this.#options = options;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const { initialMs, maxMs, random = Math.random } = this.#options;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  /** Forgets past failures after a success. */
  reset(): void {
    this.#failures = 0;
  }
}
