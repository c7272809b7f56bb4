/**
 * Runs tasks one after another per key (tasks of different keys run concurrently), so that writes of
 * one document leave this process in the order they were asked for and each sees the version the
 * previous one left. A failed task does not stop the next.
 */
export class KeyedChain {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    // The last task of a key removes the key, so the map holds only keys with work queued.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** Resolves once every task queued for the key so far has settled. */
  idle(key: string): Promise<void> {
    const tail = this.#tails.get(key);
    return tail ? tail.then(() => undefined) : Promise.resolve();
  }
}
