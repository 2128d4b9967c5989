// Bounded label values for unbounded inputs (tenants, x-switchyard-feature): the heaviest values
// by spend get a series of their own, everything else is counted as "other". A counter per raw
// value would let one client with random tenant names grow /metrics without limit.

/** Options of TopLabels. */
export interface TopLabelsOptions {
  /** Values with a series of their own; default 20. 0 counts everything as `other`. */
  readonly limit?: number;
  /**
   * Values not (yet) named whose weight is tracked, to find the next heavy one; default
   * max(4 × limit, 64). Memory stays bounded by this whatever the number of distinct values.
   */
  readonly candidates?: number;
  /** Called when a named value loses its series, so the caller can remove it from its metrics. */
  readonly onEvict?: (label: string) => void;
}

/** The label of everything that is not among the top values. */
export const OTHER = 'other';

/**
 * A named value is replaced only by a candidate that outweighs it by this factor: two tenants of
 * similar spend must not swap series back and forth (every swap ends a series and starts one).
 */
const PROMOTE_FACTOR = 1.25;

interface Candidate {
  weight: number;
  /** Space-Saving's overestimate: the weight of the entry it replaced. */
  error: number;
}

/**
 * The top `limit` values by accumulated weight, with the rest as `other`. Candidates are kept
 * with the Space-Saving algorithm (Metwally et al. 2005): a fixed table where a new value takes
 * the lightest entry's place and inherits its weight as a bound on its error, so a heavy value
 * is found however many light ones pass, with O(candidates) memory.
 */
export class TopLabels {
  readonly #limit: number;
  readonly #capacity: number;
  readonly #onEvict: (label: string) => void;
  readonly #named = new Map<string, number>();
  readonly #candidates = new Map<string, Candidate>();

  constructor(options: TopLabelsOptions = {}) {
    this.#limit = Math.max(0, Math.floor(options.limit ?? 20));
    this.#capacity = Math.max(1, Math.floor(options.candidates ?? Math.max(4 * this.#limit, 64)));
    this.#onEvict = options.onEvict ?? (() => {});
  }

  /** Values with a series of their own now. */
  get named(): string[] {
    return [...this.#named.keys()];
  }

  /** Adds `weight` (≥ 0) to `value` and returns the label to count it under: itself or `other`. */
  observe(value: string, weight: number): string {
    const w = Number.isFinite(weight) && weight > 0 ? weight : 0;
    const named = this.#named.get(value);
    if (named !== undefined) {
      this.#named.set(value, named + w);
      return value;
    }
    if (this.#named.size < this.#limit && value !== OTHER) {
      this.#named.set(value, w);
      return value;
    }
    const candidate = this.#track(value, w);
    if (this.#limit > 0 && value !== OTHER && this.#outweighsLightest(candidate)) {
      this.#promote(value, candidate.weight - candidate.error);
      return value;
    }
    return OTHER;
  }

  /** Multiplies every weight by `factor` (0–1), so spend long past counts less than spend now. */
  decay(factor: number): void {
    for (const [value, weight] of this.#named) this.#named.set(value, weight * factor);
    for (const candidate of this.#candidates.values()) {
      candidate.weight *= factor;
      candidate.error *= factor;
    }
  }

  #track(value: string, weight: number): Candidate {
    const existing = this.#candidates.get(value);
    if (existing !== undefined) {
      existing.weight += weight;
      return existing;
    }
    if (this.#candidates.size < this.#capacity) {
      const fresh = { weight, error: 0 };
      this.#candidates.set(value, fresh);
      return fresh;
    }
    let lightestKey = '';
    let lightest: Candidate | undefined;
    for (const [key, entry] of this.#candidates) {
      if (lightest === undefined || entry.weight < lightest.weight) {
        lightestKey = key;
        lightest = entry;
      }
    }
    this.#candidates.delete(lightestKey);
    const replacing = lightest?.weight ?? 0;
    const entry = { weight: replacing + weight, error: replacing };
    this.#candidates.set(value, entry);
    return entry;
  }

  #lightestNamed(): [string, number] | undefined {
    let found: [string, number] | undefined;
    for (const entry of this.#named) if (found === undefined || entry[1] < found[1]) found = entry;
    return found;
  }

  #outweighsLightest(candidate: Candidate): boolean {
    const lightest = this.#lightestNamed();
    // Only the part of its weight that is certain counts: Space-Saving may overestimate by `error`.
    return (
      lightest !== undefined && candidate.weight - candidate.error > lightest[1] * PROMOTE_FACTOR
    );
  }

  #promote(value: string, weight: number): void {
    const lightest = this.#lightestNamed();
    if (lightest === undefined) return;
    const [demoted, demotedWeight] = lightest;
    this.#named.delete(demoted);
    this.#candidates.delete(value);
    this.#named.set(value, weight);
    this.#onEvict(demoted);
    this.#track(demoted, demotedWeight);
  }
}

/** Longest label value kept; longer ones are cut. */
export const MAX_LABEL_LENGTH = 64;

/**
 * A raw client string as a label value: at most 64 characters of letters, digits and `._-:/@`,
 * anything else replaced by `_`; empty or missing becomes `none`.
 */
export function labelValue(raw: string | undefined): string {
  if (raw === undefined) return 'none';
  const cleaned = raw
    .trim()
    .slice(0, MAX_LABEL_LENGTH)
    .replace(/[^\w.:/@-]/g, '_');
  return cleaned === '' ? 'none' : cleaned;
}
