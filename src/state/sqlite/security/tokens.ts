import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { TokenRecord, TokenRecords } from '../../security-types.ts';

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

const toRecord = (r: TokenRow): TokenRecord => ({
  id: r.id,
  user: r.user,
  hash: new Uint8Array(r.hash),
  kid: r.kid,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

/** API token records (`security_tokens`), found by the keyed hash of the token. */
export class SqliteTokenRecords implements TokenRecords {
  readonly #durable: () => Promise<void>;
  readonly #insert: StatementSync;
  readonly #byHash: StatementSync;
  readonly #byId: StatementSync;
  readonly #all: StatementSync;
  readonly #ofUser: StatementSync;
  readonly #touch: StatementSync;
  readonly #del: StatementSync;
  readonly #delUser: StatementSync;
  readonly #kids: StatementSync;

  constructor(db: DatabaseSync, durable: () => Promise<void>) {
    this.#durable = durable;
    this.#insert = db.prepare('INSERT INTO security_tokens (id, user, hash, kid, name, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#byHash = db.prepare('SELECT * FROM security_tokens WHERE hash = ?');
    this.#byId = db.prepare('SELECT * FROM security_tokens WHERE id = ?');
    this.#all = db.prepare('SELECT * FROM security_tokens ORDER BY created_at, id');
    this.#ofUser = db.prepare('SELECT * FROM security_tokens WHERE user = ? ORDER BY created_at, id');
    this.#touch = db.prepare('UPDATE security_tokens SET last_used_at = ? WHERE id = ?');
    this.#del = db.prepare('DELETE FROM security_tokens WHERE id = ?');
    this.#delUser = db.prepare('DELETE FROM security_tokens WHERE user = ?');
    this.#kids = db.prepare('SELECT DISTINCT kid FROM security_tokens ORDER BY kid');
  }

  async insert(t: TokenRecord): Promise<void> {
    this.#insert.run(t.id, t.user, t.hash, t.kid, t.name, t.createdAt, t.expiresAt, t.lastUsedAt);
    await this.#durable();
  }

  async byHash(hash: Uint8Array): Promise<TokenRecord | undefined> {
    const r = this.#byHash.get(hash) as TokenRow | undefined;
    return r && toRecord(r);
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const r = this.#byId.get(id) as TokenRow | undefined;
    return r && toRecord(r);
  }

  async list(user?: string): Promise<TokenRecord[]> {
    return ((user === undefined ? this.#all.all() : this.#ofUser.all(user)) as unknown as TokenRow[]).map(toRecord);
  }

  async touch(id: string, at: number): Promise<void> {
    // Last-used times are coarse hints: not worth waiting for a sync of their own.
    this.#touch.run(at, id);
  }

  async delete(id: string): Promise<boolean> {
    const n = Number(this.#del.run(id).changes);
    await this.#durable();
    return n > 0;
  }

  deleteForUserSync(user: string): void {
    this.#delUser.run(user);
  }

  async kids(): Promise<string[]> {
    return (this.#kids.all() as Array<{ kid: string }>).map((r) => r.kid);
  }
}
