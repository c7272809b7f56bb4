import type { Clock } from '../clock.ts';

/**
 * How long a resolved value may be served without reading the document again: unbounded when this
 * process is the store's only writer (its writes invalidate), bounded when other processes write the
 * same store (the cluster's accounts index), whose writes this process never hears of.
 */
export interface CacheLife {
  maxAgeMs: number;
  clock: Clock;
}

/**
 * Resolved values by id, kept until the document is written or deleted (or, with a `CacheLife`, until
 * they are that old). A value resolved while a write was under way is dropped with the write's
 * invalidation, so it is never served after it.
 */
export class ResolveCache<T> {
  readonly #map = new Map<string, { p: Promise<T>; at: number }>();
  readonly #life: CacheLife | undefined;

  constructor(life?: CacheLife) {
    this.#life = life;
  }

  get(id: string, load: () => Promise<T>): Promise<T> {
    const now = this.#life?.clock.now() ?? 0;
    const found = this.#map.get(id);
    if (found && (!this.#life || now - found.at < this.#life.maxAgeMs)) return found.p;
    const p = load();
    const entry = { p, at: now };
    this.#map.set(id, entry);
    // A failure is not kept: the next request tries again (the document may be written meanwhile).
    p.catch(() => {
      if (this.#map.get(id) === entry) this.#map.delete(id);
    });
    return p;
  }

  invalidate(id: string): void {
    this.#map.delete(id);
  }
}
