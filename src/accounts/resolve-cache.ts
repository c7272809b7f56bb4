/**
 * Resolved values by id, kept until the document is written or deleted. A value resolved while a write
 * was under way is dropped with the write's invalidation, so it is never served after it.
 */
export class ResolveCache<T> {
  readonly #map = new Map<string, Promise<T>>();

  get(id: string, load: () => Promise<T>): Promise<T> {
    const found = this.#map.get(id);
    if (found) return found;
    const p = load();
    this.#map.set(id, p);
    // A failure is not kept: the next request tries again (the document may be written meanwhile).
    p.catch(() => {
      if (this.#map.get(id) === p) this.#map.delete(id);
    });
    return p;
  }

  invalidate(id: string): void {
    this.#map.delete(id);
  }
}
