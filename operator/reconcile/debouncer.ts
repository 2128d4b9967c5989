/** When a burst of triggers turns into one run. */
export interface DebounceTiming {
  /** Run after this long without a new trigger. Default 100 ms. */
  quietMs: number;
  /** But never later than this after the first trigger of a burst. Default 1 s. */
  maxWaitMs: number;
}

/** Default debounce: about 100 ms of quiet, at most 1 s of delay. */
export const DEFAULT_DEBOUNCE: DebounceTiming = { quietMs: 100, maxWaitMs: 1000 };

/**
 * Coalesces triggers into runs of an async task, one at a time: a burst of watch events becomes
 * one compile, and a trigger that arrives during a run schedules exactly one more run afterwards
 * (so the last event is never lost, and runs never overlap).
 */
export class Debouncer {
  readonly #task: () => Promise<void>;
  readonly #timing: DebounceTiming;
  #firstTriggerAt: number | undefined;
  #lastTriggerAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(task: () => Promise<void>, timing: Partial<DebounceTiming> = {}) {
    this.#task = task;
    this.#timing = { ...DEFAULT_DEBOUNCE, ...timing };
  }

  /** Asks for a run soon. */
  trigger(): void {
    if (this.#stopped) return;
    const now = performance.now();
    this.#firstTriggerAt ??= now;
    this.#lastTriggerAt = now;
    if (this.#running === undefined) this.#schedule();
  }

  /** Cancels pending runs and waits for the current one to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(): void {
    if (this.#firstTriggerAt === undefined) return;
    const dueAt = Math.min(
      this.#lastTriggerAt + this.#timing.quietMs,
      this.#firstTriggerAt + this.#timing.maxWaitMs,
    );
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, dueAt - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const first = this.#firstTriggerAt;
    if (first === undefined || this.#stopped) return;
    const quietEnough = now - this.#lastTriggerAt >= this.#timing.quietMs - 1;
    if (!quietEnough && now - first < this.#timing.maxWaitMs - 1) {
      this.#schedule();
      return;
    }
    this.#firstTriggerAt = undefined;
    // The task reports its own errors; a rejection here must not become an unhandled one.
    this.#running = this.#task()
      .catch(() => undefined)
      .finally(() => {
        this.#running = undefined;
        // Triggers that arrived during the run start a new burst from their own first time.
        if (!this.#stopped) this.#schedule();
      });
  }
}
