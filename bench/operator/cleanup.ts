// Teardown in reverse order of set-up, run once, whatever failed before.

/** A stack of teardown steps. */
export class Cleanup {
  #steps: { name: string; run: () => Promise<void> | void }[] = [];

  /** Registers a step; steps run last-registered first. */
  defer(name: string, run: () => Promise<void> | void): void {
    this.#steps.push({ name, run });
  }

  /** Runs every step once, reporting (not throwing) failures. */
  async run(): Promise<void> {
    const steps = this.#steps.reverse();
    this.#steps = [];
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        process.stderr.write(`cleanup: ${step.name} failed: ${(error as Error).message}\n`);
      }
    }
  }
}
