/**
 * Failure limiter for authentication (OpenSearch's `auth_failure_listeners`): per key, `maxFailures`
 * failures within `windowMs` block that key for `blockMs`. While a key is blocked every attempt is
 * refused, a correct password included, so guessing cannot continue "between" failures.
 *
 * A password guess is counted when it is admitted, before its hash is computed: `admit` reserves one of
 * the key's tries, and the guess's outcome settles it (`fail`, `succeed` or `release`). Tries in flight
 * count against the limit, so parallel guesses cannot all slip in before the first one has failed.
 *
 * Memory is bounded: at most `maxKeys` keys are tracked; beyond that the least recently touched key is
 * forgotten (a Map keeps insertion order; touching a key re-inserts it).
 */
import type { Clock } from '../clock.ts';

export interface LimiterOptions {
  /** Failures (admitted tries included) allowed within the window. Default 5. */
  maxFailures?: number;
  /** Default 60 000. */
  windowMs?: number;
  /** How long a key stays blocked once it reached maxFailures. Default 60 000. */
  blockMs?: number;
  /** Default 100 000. */
  maxKeys?: number;
  clock: Clock;
}

interface Entry {
  /** Monotonic times of recent failures, oldest first, fewer than maxFailures. */
  failures: number[];
  /** Admitted tries whose outcome is not known yet. */
  pending: number;
  blockedUntil: number;
}

/** How long a caller is told to wait when every try is taken by guesses still being checked. */
const PENDING_RETRY_MS = 1_000;

export class FailureLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly blockMs: number;
  readonly maxKeys: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(o: LimiterOptions) {
    this.maxFailures = o.maxFailures ?? 5;
    this.windowMs = o.windowMs ?? 60_000;
    this.blockMs = o.blockMs ?? 60_000;
    this.maxKeys = o.maxKeys ?? 100_000;
    this.#clock = o.clock;
  }

  /** Number of keys tracked (bounded by maxKeys). */
  get size(): number {
    return this.#entries.size;
  }

  /** Milliseconds until `key` is unblocked; 0 when it is not blocked. */
  blockedFor(key: string): number {
    const e = this.#entries.get(key);
    if (!e) return 0;
    const left = e.blockedUntil - this.#clock.monotonic();
    return left > 0 ? left : 0;
  }

  /**
   * Milliseconds before a try for `key` may be admitted: the rest of its block, or a short wait when
   * the tries left are all taken by guesses still in flight; 0 when a try may be admitted now.
   */
  refusal(key: string): number {
    const blocked = this.blockedFor(key);
    if (blocked) return blocked;
    const e = this.#entries.get(key);
    if (!e) return 0;
    return this.#recent(e).length + e.pending >= this.maxFailures ? PENDING_RETRY_MS : 0;
  }

  /** Reserves a try for `key` (the caller checked `refusal`); settle it with fail, succeed or release. */
  admit(key: string): void {
    const e = this.#touch(key);
    e.pending++;
    this.#evict();
  }

  /**
   * Records a failure (of a try admitted with `admit` when `admitted`); returns true when this failure
   * starts a block. Failures while the key is blocked do not lengthen the block.
   */
  fail(key: string, admitted = false): boolean {
    const now = this.#clock.monotonic();
    const e = this.#touch(key);
    if (admitted && e.pending > 0) e.pending--;
    if (e.blockedUntil > now) return false;
    e.failures = this.#recent(e);
    e.failures.push(now);
    let blocked = false;
    if (e.failures.length >= this.maxFailures) {
      e.blockedUntil = now + this.blockMs;
      e.failures = [];
      blocked = true;
    }
    this.#evict();
    return blocked;
  }

  /** A try succeeded: forgets the failures of `key`; an active block stays. */
  succeed(key: string, admitted = false): void {
    const e = this.#entries.get(key);
    if (!e) return;
    if (admitted && e.pending > 0) e.pending--;
    if (e.blockedUntil > this.#clock.monotonic()) return;
    e.failures = [];
    if (e.pending === 0) this.#entries.delete(key);
  }

  /** Gives back an admitted try whose outcome says nothing about the password (the hasher was busy). */
  release(key: string): void {
    const e = this.#entries.get(key);
    if (e && e.pending > 0) e.pending--;
  }

  #recent(e: Entry): number[] {
    const now = this.#clock.monotonic();
    return e.failures.filter((t) => now - t < this.windowMs);
  }

  #touch(key: string): Entry {
    const e = this.#entries.get(key) ?? { failures: [], pending: 0, blockedUntil: 0 };
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e;
  }

  #evict(): void {
    // Least recently touched first; keys with tries in flight stay (they are bounded by the hash
    // concurrency caps). An attacker with more addresses than maxKeys can push out old blocks; bounded
    // memory is worth that, and the per-user concurrency cap still limits guessing per account.
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.maxKeys) return;
      if (e.pending === 0) this.#entries.delete(k);
    }
  }
}
