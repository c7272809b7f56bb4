/**
 * A cache of short-lived credentials (STS session keys, OAuth access tokens): each is used until shortly
 * before it expires, then fetched again. Concurrent misses for one key share one fetch, so a burst of
 * deliveries makes one token request, not one each; that fetch is aborted only when all of them gave
 * up. Failed fetches are not cached.
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

/** One fetch shared by the callers waiting for it; aborted only when every one of them gave up. */
interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

export class TokenCache<T extends Expiring> {
  readonly #entries = new Map<string, { value: T; renewAt: number }>();
  readonly #pending = new Map<string, Flight<T>>();
  readonly #max: number;

  constructor(maxEntries = 1_000) {
    this.#max = maxEntries;
  }

  /**
   * The cached credential for `key` while it is fresh at `now`, else the result of `fetch`, shared by
   * concurrent callers. `signal` is this caller's: when it aborts, this caller stops waiting (rejected
   * with its reason) and the others keep theirs; `fetch` is given a signal that aborts only once every
   * caller waiting for it has given up, so one caller's deadline never fails a token the others need.
   */
  async get(key: string, now: () => number, fetch: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const hit = this.#entries.get(key);
    if (hit && now() < hit.renewAt) return hit.value;
    return this.#wait(key, this.#pending.get(key) ?? this.#start(key, now, fetch), signal);
  }

  #start(key: string, now: () => number, fetch: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const obtainedAt = now();
    const promise = fetch(controller.signal).then((value) => {
      this.#entries.delete(key);
      this.#entries.set(key, { value, renewAt: refreshAt(obtainedAt, value.expiresAt) });
      while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
      return value;
    });
    const flight: Flight<T> = { promise, controller, waiters: 0 };
    this.#pending.set(key, flight);
    const settled = () => {
      if (this.#pending.get(key) === flight) this.#pending.delete(key);
    };
    promise.then(settled, settled);
    return flight;
  }

  #wait(key: string, flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return false;
        left = true;
        flight.waiters--;
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        reject(signal!.reason);
        if (flight.waiters > 0) return;
        // Nobody waits any more: stop the request, and let the next caller start a fresh one.
        if (this.#pending.get(key) === flight) this.#pending.delete(key);
        flight.controller.abort(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (v) => leave() && resolve(v),
        (e: unknown) => leave() && reject(e),
      );
    });
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
