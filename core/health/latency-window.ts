/**
 * The last `capacity` samples of a latency, with quantiles. Quantiles are recomputed only when
 * asked for after new samples arrived, so recording stays O(1) on the hot path.
 */
export class LatencyWindow {
  readonly #samples: number[] = [];
  readonly #capacity: number;
  #next = 0;
  #sorted: number[] | undefined;

  constructor(capacity = 128) {
    this.#capacity = capacity;
  }

  /** Adds one sample in milliseconds. */
  record(ms: number): void {
    if (this.#samples.length < this.#capacity) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#sorted = undefined;
  }

  /** Number of samples held. */
  get count(): number {
    return this.#samples.length;
  }

  /** The q-quantile (0..1) of the samples, or undefined with no samples. */
  quantile(q: number): number | undefined {
    if (this.#samples.length === 0) return undefined;
    this.#sorted ??= [...this.#samples].sort((a, b) => a - b);
    const index = Math.min(
      this.#sorted.length - 1,
      Math.max(0, Math.ceil(q * this.#sorted.length) - 1),
    );
    return this.#sorted[index];
  }
}
