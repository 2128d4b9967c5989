/** New samples after which the sorted view is rebuilt; quantiles lag by at most this many. */
const RESORT_EVERY = 16;

/**
 * The last `capacity` samples of a latency, with quantiles. Recording is O(1); the sorted view
 * behind the quantiles is rebuilt only after `RESORT_EVERY` new samples (or when there was none),
 * because routing reads quantiles on every request and a sort per request would be waste.
 */
export class LatencyWindow {
  readonly #samples: number[] = [];
  readonly #capacity: number;
  #next = 0;
  #sorted: Float64Array | undefined;
  #sinceSort = 0;

  constructor(capacity = 128) {
    this.#capacity = capacity;
  }

  /** Adds one sample in milliseconds. */
  record(ms: number): void {
    if (this.#samples.length < this.#capacity) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#sinceSort += 1;
  }

  /** Number of samples held. */
  get count(): number {
    return this.#samples.length;
  }

  /** The q-quantile (0..1) of the samples, or undefined with no samples. */
  quantile(q: number): number | undefined {
    if (this.#samples.length === 0) return undefined;
    // Small windows are re-sorted on any change (cheap, and early quantiles matter most).
    const stale =
      this.#sinceSort >= RESORT_EVERY ||
      (this.#sinceSort > 0 && this.#samples.length < RESORT_EVERY * 2);
    if (this.#sorted === undefined || stale) {
      // A typed array sorts numerically without a comparator callback, and its buffer is reused.
      if (this.#sorted?.length !== this.#samples.length)
        this.#sorted = new Float64Array(this.#samples.length);
      this.#sorted.set(this.#samples);
      this.#sorted.sort();
      this.#sinceSort = 0;
    }
    const index = Math.min(
      this.#sorted.length - 1,
      Math.max(0, Math.ceil(q * this.#sorted.length) - 1),
    );
    return this.#sorted[index];
  }
}
