/**
 * A first-come, first-served limit on work in flight: at most `limit` tasks run at once, the
 * rest wait in order. The sub-query dispatcher shares one per run across all batches.
 *
 * @module
 */

/** At most `limit` tasks at once; a freed slot passes straight to the next waiter. */
export class Slots {
  #limit: number;
  #active = 0;
  #waiting: (() => void)[] = [];

  /** @param limit Tasks in flight at once (at least 1). */
  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Runs `task` in a slot, waiting for one if all are taken. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.#active--;
  }
}
