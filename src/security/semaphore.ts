/**
 * A counting semaphore with a bounded wait queue. Password hashing uses it so that at most `permits`
 * Argon2id computations (64 MiB each) run at once, and a flood of logins cannot queue without limit.
 */
export class Semaphore {
  readonly #permits: number;
  readonly #maxQueue: number;
  #inUse = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(permits: number, maxQueue = Infinity) {
    this.#permits = permits;
    this.#maxQueue = maxQueue;
  }

  /** Number of callers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** Runs `fn` under a permit. Returns `undefined` without running it when the wait queue is full. */
  async tryRun<T>(fn: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.#inUse >= this.#permits) {
      if (this.#waiters.length >= this.#maxQueue) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    } else {
      this.#inUse++;
    }
    try {
      return { value: await fn() };
    } finally {
      // Hand the permit straight to the next waiter, so a late arrival cannot overtake the queue.
      const next = this.#waiters.shift();
      if (next) next();
      else this.#inUse--;
    }
  }
}
