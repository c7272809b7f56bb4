/**
 * Successful Basic logins, remembered for a few minutes so that Argon2id (≈0.7 s, 64 MiB) is not
 * paid on every request. The key is a keyed BLAKE2b of `user ‖ 0 ‖ password` (the pepper comes from
 * the key ring, else a random per-process key), so the cache never holds a password or anything that
 * can be checked offline without the pepper. Each entry remembers the user's stored hash: a password
 * change or a deleted user makes it miss.
 */
import { randomBytes } from 'node:crypto';
import { sodiumSync } from '../accounts/sodium.ts';
import type { Clock } from '../clock.ts';

export interface CredentialCacheOptions {
  clock: Clock;
  /** 32 bytes; default a random per-process key. */
  pepper?: Uint8Array;
  /** Default 5 minutes (the upper bound). */
  ttlMs?: number;
  /** Default 10 000 entries. */
  maxEntries?: number;
}

export class CredentialCache {
  readonly #pepper: Uint8Array;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #max: number;
  readonly #entries = new Map<string, { hash: string; expires: number }>();

  constructor(o: CredentialCacheOptions) {
    this.#pepper = o.pepper ?? new Uint8Array(randomBytes(32));
    this.#clock = o.clock;
    this.#ttl = Math.min(o.ttlMs ?? 300_000, 300_000);
    this.#max = o.maxEntries ?? 10_000;
  }

  #key(user: string, password: string): string {
    const s = sodiumSync();
    const msg = new Uint8Array(Buffer.concat([Buffer.from(user, 'utf8'), Buffer.from([0]), Buffer.from(password, 'utf8')]));
    const out = s.to_hex(s.crypto_generichash(32, msg, this.#pepper));
    s.memzero(msg);
    return out;
  }

  /** True when this user logged in with this password within the TTL and their stored hash is unchanged. */
  has(user: string, password: string, storedHash: string): boolean {
    const k = this.#key(user, password);
    const e = this.#entries.get(k);
    if (!e) return false;
    if (e.expires <= this.#clock.monotonic() || e.hash !== storedHash) {
      this.#entries.delete(k);
      return false;
    }
    return true;
  }

  add(user: string, password: string, storedHash: string): void {
    const k = this.#key(user, password);
    this.#entries.delete(k);
    this.#entries.set(k, { hash: storedHash, expires: this.#clock.monotonic() + this.#ttl });
    for (const old of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(old);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
