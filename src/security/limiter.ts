/**
 * Failure limiter for authentication (OpenSearch's `auth_failure_listeners`): per key (a user name or a
 * client address), `maxFailures` failures within `windowMs` block that key for `blockMs`. While a key
 * is blocked every attempt is refused, a correct password included, so guessing cannot continue
 * "between" failures.
 *
 * Memory is bounded: at most `maxKeys` keys are tracked; beyond that the least recently touched key is
 * forgotten (a Map keeps insertion order; touching a key re-inserts it).
 */
import type { Clock } from '../clock.ts';

export interface LimiterOptions {
  /** Default 5. */
  maxFailures?: number;
  /** Default 60 000. */
  windowMs?: number;
  /** Default 60 000. */
  blockMs?: number;
  /** Default 100 000. */
  maxKeys?: number;
  clock: Clock;
}

interface Entry {
  /** Monotonic times of recent failures, oldest first, at most maxFailures. */
  failures: number[];
  blockedUntil: number;
}

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

  /** Records a failure; returns true when this failure starts a block. */
  fail(key: string): boolean {
    const now = this.#clock.monotonic();
    const e = this.#entries.get(key) ?? { failures: [], blockedUntil: 0 };
    this.#entries.delete(key);
    e.failures = e.failures.filter((t) => now - t < this.windowMs);
    e.failures.push(now);
    let blocked = false;
    if (e.failures.length >= this.maxFailures) {
      e.blockedUntil = now + this.blockMs;
      e.failures = [];
      blocked = true;
    }
    this.#entries.set(key, e);
    this.#evict();
    return blocked;
  }

  /** Forgets the failures of `key` (after a successful login); an active block stays. */
  succeed(key: string): void {
    const e = this.#entries.get(key);
    if (e && e.blockedUntil <= this.#clock.monotonic()) this.#entries.delete(key);
  }

  #evict(): void {
    // Least recently touched first. An attacker with more addresses than maxKeys can push out old
    // blocks; bounded memory is worth that, and the per-user key still limits guessing per account.
    for (const k of this.#entries.keys()) {
      if (this.#entries.size <= this.maxKeys) return;
      this.#entries.delete(k);
    }
  }
}
