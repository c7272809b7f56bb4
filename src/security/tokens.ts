/**
 * API tokens: `vgl_` + base64url(32 random bytes), shown once. Only a keyed BLAKE2b of the token is
 * stored (`crypto_generichash(32, token, pepper)`), with the id of the pepper that made it: the key
 * ring's token-pepper subkey (kid) when a master key is configured, else a random pepper kept in the
 * state store (kid `local`). A fast keyed hash suffices: tokens carry 256 bits of entropy.
 *
 * Verified tokens are remembered for a short while (by their hash), so that a token caller does not
 * cost a store read per request; revoking a token through this service forgets it at once.
 */
import { randomBytes } from 'node:crypto';
import type { KeyRing } from '../accounts/keyring.ts';
import { tokenPepper } from '../accounts/keyring.ts';
import { sodiumSync } from '../accounts/sodium.ts';
import type { Clock } from '../clock.ts';
import type { SecurityStore, TokenRecord } from '../state/security-types.ts';

export const TOKEN_PREFIX = 'vgl_';
const TOKEN_RE = /^vgl_[A-Za-z0-9_-]{43}$/;
const LOCAL_KID = 'local';
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

/** Public facts about a token (never the token or its hash). */
export interface TokenInfo {
  id: string;
  user: string;
  name: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const info = (r: TokenRecord): TokenInfo => ({ id: r.id, user: r.user, name: r.name, created_at: iso(r.createdAt)!, expires_at: iso(r.expiresAt), last_used_at: iso(r.lastUsedAt) });

export class TokenService {
  readonly #store: SecurityStore;
  readonly #ring: KeyRing | null;
  readonly #clock: Clock;
  readonly #peppers = new Map<string, Uint8Array>();
  /** hex(hash) → the record and until when (monotonic) it may be used without a store read. */
  readonly #cache = new Map<string, { record: TokenRecord; until: number }>();
  #kids: string[] | undefined;

  constructor(store: SecurityStore, ring: KeyRing | null, clock: Clock) {
    this.#store = store;
    this.#ring = ring;
    this.#clock = clock;
  }

  /** Creates a token for `user`; the returned `token` is the only time it exists in clear. */
  async create(user: string, at: number, opts: { name?: string | undefined; expiresAt?: number | null | undefined } = {}): Promise<{ token: string; info: TokenInfo }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const kid = this.#ring?.activeKid ?? LOCAL_KID;
    const record: TokenRecord = { id: randomBytes(8).toString('hex'), user, hash: (await this.#hash(token, kid))!, kid, name: opts.name ?? null, createdAt: at, expiresAt: opts.expiresAt ?? null, lastUsedAt: null };
    await this.#store.tokens.insert(record);
    this.#kids = undefined;
    return { token, info: info(record) };
  }

  /**
   * The token's record when `token` is a live token, else undefined. The stored hash is looked up by
   * index and then compared with `sodium.memcmp` (constant time), per pepper in use.
   */
  async verify(token: string, now: number): Promise<TokenInfo | undefined> {
    if (!TOKEN_RE.test(token)) return undefined;
    this.#kids ??= await this.#store.tokens.kids();
    for (const kid of this.#kids) {
      const h = await this.#hash(token, kid);
      if (!h) continue;
      const key = Buffer.from(h).toString('hex');
      const hit = this.#cache.get(key);
      let row = hit && hit.until > this.#clock.monotonic() ? hit.record : undefined;
      if (!row) {
        row = await this.#store.tokens.byHash(h);
        if (!row || row.kid !== kid || !sodiumSync().memcmp(row.hash, h)) continue;
        this.#remember(key, row);
      }
      if (row.expiresAt !== null && row.expiresAt <= now) return undefined;
      // One write per token per minute at most: last-used is coarse on purpose (no write per request).
      if (row.lastUsedAt === null || now - row.lastUsedAt >= 60_000) {
        row.lastUsedAt = now;
        await this.#store.tokens.touch(row.id, now);
      }
      return info(row);
    }
    return undefined;
  }

  async list(user?: string): Promise<TokenInfo[]> {
    return (await this.#store.tokens.list(user)).map(info);
  }

  async get(id: string): Promise<TokenInfo | undefined> {
    const r = await this.#store.tokens.get(id);
    return r && info(r);
  }

  async delete(id: string): Promise<boolean> {
    this.forget();
    return this.#store.tokens.delete(id);
  }

  /** Forgets every remembered token (after a revocation, a deleted user, or a cache flush). */
  forget(): void {
    this.#cache.clear();
    this.#kids = undefined;
  }

  #remember(key: string, record: TokenRecord): void {
    if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { record, until: this.#clock.monotonic() + CACHE_TTL_MS });
  }

  /** Undefined when the pepper of `kid` is gone (its master key left the ring): such tokens cannot verify. */
  async #hash(token: string, kid: string): Promise<Uint8Array | undefined> {
    const pepper = await this.#pepper(kid);
    return pepper && sodiumSync().crypto_generichash(32, sodiumSync().from_string(token), pepper);
  }

  async #pepper(kid: string): Promise<Uint8Array | undefined> {
    let p = this.#peppers.get(kid);
    if (p) return p;
    if (kid === LOCAL_KID) p = (await this.#store.secrets.get('token_pepper')) ?? (await this.#store.secrets.putIfAbsent('token_pepper', new Uint8Array(randomBytes(32))));
    else if (this.#ring?.has(kid)) p = tokenPepper(this.#ring, kid);
    if (p) this.#peppers.set(kid, p);
    return p;
  }
}
