/**
 * Serialises async work per key (one account = one key): a PUT racing a rotation of the same account
 * must not read, then overwrite, the other's result. Different keys run concurrently.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = prev.then(() => new Promise<void>((r) => (release = r)));
    this.#tails.set(key, mine);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      // Drop the entry once the queue is empty, so the map does not grow with every account ever touched.
      if (this.#tails.get(key) === mine) this.#tails.delete(key);
    }
  }

  /** Keys with work queued or running (for tests and metrics). */
  get size(): number {
    return this.#tails.size;
  }
}
