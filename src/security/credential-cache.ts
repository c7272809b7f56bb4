/**
 * Successful Basic logins, remembered for a few minutes so that Argon2id (≈0.7 s, 64 MiB) is not
 * paid on every request. The key is a keyed BLAKE2b of the user name and password (the pepper comes from
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

  /**
   * The keyed BLAKE2b of `len(user) ‖ user ‖ password`: equal for equal credentials, useless without
   * the pepper. The length prefix keeps ("a\0", "b") and ("a", "\0b") apart. The authenticator also
   * uses it to let identical guesses in flight share one hash.
   */
  fingerprint(user: string, password: string): string {
    const s = sodiumSync();
    const u = Buffer.from(user, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(u.length);
    const msg = new Uint8Array(Buffer.concat([len, u, Buffer.from(password, 'utf8')]));
    const out = s.to_hex(s.crypto_generichash(32, msg, this.#pepper));
    s.memzero(msg);
    return out;
  }

  /** True when this user logged in with this password within the TTL and their stored hash is unchanged. */
  has(user: string, password: string, storedHash: string): boolean {
    return this.hasFingerprint(this.fingerprint(user, password), storedHash);
  }

  /** As `has`, for a fingerprint already computed. */
  hasFingerprint(k: string, storedHash: string): boolean {
    const e = this.#entries.get(k);
    if (!e) return false;
    if (e.expires <= this.#clock.monotonic() || e.hash !== storedHash) {
      this.#entries.delete(k);
      return false;
    }
    return true;
  }

  add(user: string, password: string, storedHash: string): void {
    this.addFingerprint(this.fingerprint(user, password), storedHash);
  }

  /** As `add`, for a fingerprint already computed. */
  addFingerprint(k: string, storedHash: string): void {
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
