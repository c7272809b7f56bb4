/**
 * A cache of short-lived credentials (STS session keys, OAuth access tokens): each is used until shortly
 * before it expires, then fetched again. Concurrent misses for one key share one fetch, so a burst of
 * deliveries makes one token request, not one each. Failed fetches are not cached.
 *
 * Entries are keyed by a hash of what the credential was obtained with (endpoint, client or key id,
 * the secret itself, role…), so an edited account never gets another's token, and the map holds no
 * secret in its keys. The map is bounded: the oldest entry goes first.
 */
import { createHash } from 'node:crypto';

/** A credential that expires. */
export interface Expiring {
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * The refresh margin: a credential is renewed five minutes before it expires, or halfway through its
 * life when it lives less than ten minutes, so that one is never sent just as it lapses (clock skew,
 * a request that waits for a slot, a retry).
 */
export function refreshAt(obtainedAt: number, expiresAt: number): number {
  const life = Math.max(0, expiresAt - obtainedAt);
  return obtainedAt + Math.max(life - 5 * 60_000, life / 2);
}

/** A cache key from the parts a credential depends on (hashed: secrets may be among them). */
export function cacheKey(...parts: ReadonlyArray<string | undefined>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export class TokenCache<T extends Expiring> {
  readonly #entries = new Map<string, { value: T; renewAt: number }>();
  readonly #pending = new Map<string, Promise<T>>();
  readonly #max: number;

  constructor(maxEntries = 1_000) {
    this.#max = maxEntries;
  }

  /** The cached credential for `key` while it is fresh at `now`, else the result of `fetch` (shared by concurrent callers). */
  async get(key: string, now: () => number, fetch: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit && now() < hit.renewAt) return hit.value;
    const running = this.#pending.get(key);
    if (running) return running;
    const obtainedAt = now();
    const p = fetch().then(
      (value) => {
        this.#entries.delete(key);
        this.#entries.set(key, { value, renewAt: refreshAt(obtainedAt, value.expiresAt) });
        while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
        return value;
      },
    );
    this.#pending.set(key, p);
    try {
      return await p;
    } finally {
      this.#pending.delete(key);
    }
  }

  /** Drops `key`'s credential (refused by the service), unless a newer one has replaced `stale` already. */
  invalidate(key: string, stale?: T): void {
    const hit = this.#entries.get(key);
    if (hit && (stale === undefined || hit.value === stale)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
