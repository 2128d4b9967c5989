/** A unit of work for the judge. */
export type JudgeTask = () => Promise<void>;

/**
 * A bounded queue with bounded concurrency, one per policy: judging must never grow without
 * limit behind a slow judge, nor take more than its share of the pod. `offer` refuses work when
 * the queue is full (the caller counts it as dropped); tasks run in arrival order, at most
 * `concurrency` at a time, and a failing task is the task's own business.
 */
export class JudgeQueue {
  readonly #waiting: JudgeTask[] = [];
  #running = 0;
  #capacity: number;
  #concurrency: number;
  #idle: (() => void)[] = [];

  constructor(capacity: number, concurrency: number) {
    this.#capacity = capacity;
    this.#concurrency = concurrency;
  }

  /** Applies new limits (a new config); work already queued stays queued. */
  resize(capacity: number, concurrency: number): void {
    this.#capacity = capacity;
    this.#concurrency = concurrency;
    this.#pump();
  }

  /** Queues a task; false when the queue is full. */
  offer(task: JudgeTask): boolean {
    if (this.#waiting.length >= this.#capacity) return false;
    this.#waiting.push(task);
    this.#pump();
    return true;
  }

  /** Tasks waiting and running. */
  get depth(): number {
    return this.#waiting.length + this.#running;
  }

  /** Resolves once nothing waits and nothing runs (tests, shutdown). */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#waiting.length > 0) {
      const task = this.#waiting.shift() as JudgeTask;
      this.#running++;
      task()
        .catch(() => undefined)
        .finally(() => {
          this.#running--;
          this.#pump();
          if (this.depth === 0) for (const resolve of this.#idle.splice(0)) resolve();
        });
    }
  }
}
