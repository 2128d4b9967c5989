import type { ScriptStep } from './script-step.ts';

interface QueuedStep {
  step: ScriptStep;
  remaining: number;
}

/**
 * The behaviour queue of one fake: queued steps answer the next requests in arrival order
 * (FIFO, `times` repeats a step); when the queue is empty the default step applies. A queued or
 * per-request step is laid over the default field by field, so a latency preset set as the
 * default still applies to a scripted error.
 */
export class FakeScript {
  readonly #initialDefault: ScriptStep;
  #default: ScriptStep;
  #queue: QueuedStep[] = [];

  /** Starts with `defaultStep` as the default (restored by `reset()`). */
  constructor(defaultStep: ScriptStep = {}) {
    this.#initialDefault = defaultStep;
    this.#default = defaultStep;
  }

  /** Queues steps for the next requests, after those already queued. */
  enqueue(steps: ScriptStep | readonly ScriptStep[]): void {
    const list: readonly ScriptStep[] = Array.isArray(steps) ? steps : [steps as ScriptStep];
    for (const step of list) this.#queue.push({ step, remaining: step.times ?? 1 });
  }

  /** Replaces the default step (what answers when nothing is queued). */
  setDefault(step: ScriptStep): void {
    this.#default = step;
  }

  /** Empties the queue and restores the default given at construction. */
  reset(): void {
    this.#queue = [];
    this.#default = this.#initialDefault;
  }

  /** Queued steps not yet consumed (a step with `times: 3` counts as 3). */
  get pending(): number {
    return this.#queue.reduce((sum, queued) => sum + queued.remaining, 0);
  }

  /** The default with `override` laid over it, without touching the queue. */
  current(override?: ScriptStep): ScriptStep {
    return override === undefined ? this.#default : { ...this.#default, ...override };
  }

  /**
   * The step for the next request: `override` (from the request header) if given, which leaves
   * the queue untouched; else the head of the queue; each laid over the default.
   */
  next(override?: ScriptStep): ScriptStep {
    if (override !== undefined) return { ...this.#default, ...override };
    const head = this.#queue[0];
    if (head === undefined) return this.#default;
    head.remaining -= 1;
    if (head.remaining <= 0) this.#queue.shift();
    return { ...this.#default, ...head.step };
  }
}
