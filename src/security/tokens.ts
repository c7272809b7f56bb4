/**
 * API tokens: `vgl_` + base64url(32 random bytes), shown once. Only a keyed BLAKE2b of the token is
 * stored (`crypto_generichash(32, token, pepper)`), with the id of the pepper that made it: the key
 * ring's token-pepper subkey (kid) when a master key is configured, else a random pepper kept in the
 * state store (kid `local`). A fast keyed hash suffices: tokens carry 256 bits of entropy.
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { KeyRing } from '../accounts/keyring.ts';
import { tokenPepper } from '../accounts/keyring.ts';
import { loadSodium, sodiumSync } from '../accounts/sodium.ts';

export const TOKEN_PREFIX = 'vgl_';
const TOKEN_RE = /^vgl_[A-Za-z0-9_-]{43}$/;
const LOCAL_KID = 'local';

/** Public facts about a token (never the token or its hash). */
export interface TokenInfo {
  id: string;
  user: string;
  name: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

interface TokenRow {
  id: string;
  user: string;
  hash: Uint8Array;
  kid: string;
  name: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const info = (r: TokenRow): TokenInfo => ({ id: r.id, user: r.user, name: r.name, created_at: iso(r.created_at)!, expires_at: iso(r.expires_at), last_used_at: iso(r.last_used_at) });

export class TokenStore {
  readonly #db: DatabaseSync;
  readonly #ring: KeyRing | null;
  readonly #peppers = new Map<string, Uint8Array>();
  readonly #byHash: StatementSync;
  readonly #insert: StatementSync;
  readonly #touch: StatementSync;

  private constructor(db: DatabaseSync, ring: KeyRing | null) {
    this.#db = db;
    this.#ring = ring;
    db.exec(`CREATE TABLE IF NOT EXISTS security_tokens (id TEXT PRIMARY KEY, user TEXT NOT NULL, hash BLOB NOT NULL, kid TEXT NOT NULL,
      name TEXT, created_at INTEGER NOT NULL, expires_at INTEGER, last_used_at INTEGER)`);
    db.exec('CREATE UNIQUE INDEX IF NOT EXISTS security_tokens_hash ON security_tokens (hash)');
    db.exec('CREATE TABLE IF NOT EXISTS security_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)');
    this.#byHash = db.prepare('SELECT * FROM security_tokens WHERE hash = ?');
    this.#insert = db.prepare('INSERT INTO security_tokens (id, user, hash, kid, name, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)');
    this.#touch = db.prepare('UPDATE security_tokens SET last_used_at = ? WHERE id = ?');
  }

  static async open(db: DatabaseSync, ring: KeyRing | null): Promise<TokenStore> {
    await loadSodium();
    return new TokenStore(db, ring);
  }

  /** Creates a token for `user`; the returned `token` is the only time it exists in clear. */
  create(user: string, at: number, opts: { name?: string | undefined; expiresAt?: number | null | undefined } = {}): { token: string; info: TokenInfo } {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const kid = this.#ring?.activeKid ?? LOCAL_KID;
    const id = randomBytes(8).toString('hex');
    this.#insert.run(id, user, this.#hash(token, kid)!, kid, opts.name ?? null, at, opts.expiresAt ?? null);
    return { token, info: info(this.#row(id)!) };
  }

  /**
   * The token's record when `token` is a live token, else undefined. The stored hash is looked up by
   * index and then compared with `sodium.memcmp` (constant time), per pepper in use.
   */
  verify(token: string, now: number): TokenInfo | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    for (const kid of this.#kids()) {
      const h = this.#hash(token, kid);
      if (!h) continue;
      const row = this.#byHash.get(h) as TokenRow | undefined;
      if (!row || row.kid !== kid || !sodiumSync().memcmp(new Uint8Array(row.hash), h)) continue;
      if (row.expires_at !== null && row.expires_at <= now) return undefined;
      // One write per token per minute at most: last-used is coarse on purpose (no write per request).
      if (row.last_used_at === null || now - row.last_used_at >= 60_000) {
        this.#touch.run(now, row.id);
        row.last_used_at = now;
      }
      return info(row);
    }
    return undefined;
  }

  list(user?: string): TokenInfo[] {
    const rows = (user === undefined
      ? this.#db.prepare('SELECT * FROM security_tokens ORDER BY created_at').all()
      : this.#db.prepare('SELECT * FROM security_tokens WHERE user = ? ORDER BY created_at').all(user)) as unknown as TokenRow[];
    return rows.map(info);
  }

  get(id: string): TokenInfo | undefined {
    const r = this.#row(id);
    return r ? info(r) : undefined;
  }

  delete(id: string): boolean {
    return Number(this.#db.prepare('DELETE FROM security_tokens WHERE id = ?').run(id).changes) > 0;
  }

  deleteForUser(user: string): number {
    return Number(this.#db.prepare('DELETE FROM security_tokens WHERE user = ?').run(user).changes);
  }

  #row(id: string): TokenRow | undefined {
    return this.#db.prepare('SELECT * FROM security_tokens WHERE id = ?').get(id) as TokenRow | undefined;
  }

  #kids(): string[] {
    return (this.#db.prepare('SELECT DISTINCT kid FROM security_tokens').all() as Array<{ kid: string }>).map((r) => r.kid);
  }

  /** Undefined when the pepper of `kid` is gone (its master key left the ring): such tokens cannot verify. */
  #hash(token: string, kid: string): Uint8Array | undefined {
    const pepper = this.#pepper(kid);
    return pepper && sodiumSync().crypto_generichash(32, sodiumSync().from_string(token), pepper);
  }

  #pepper(kid: string): Uint8Array | undefined {
    let p = this.#peppers.get(kid);
    if (p) return p;
    if (kid === LOCAL_KID) {
      const row = this.#db.prepare('SELECT value FROM security_secrets WHERE name = ?').get('token_pepper') as { value: Uint8Array } | undefined;
      if (row) p = new Uint8Array(row.value);
      else {
        p = new Uint8Array(randomBytes(32));
        this.#db.prepare('INSERT INTO security_secrets (name, value) VALUES (?, ?)').run('token_pepper', p);
      }
    } else if (this.#ring?.has(kid)) {
      p = tokenPepper(this.#ring, kid);
    }
    if (p) this.#peppers.set(kid, p);
    return p;
  }
}
