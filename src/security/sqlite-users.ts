/**
 * Users and roles in the state store (`store.db`), in tables of their own. Synchronous underneath
 * (node:sqlite); the daemon is the only writer of its data directory (the store lock), so an in-memory
 * copy of the roles stays exact.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RoleDoc, UserView } from './roles.ts';

/** A stored user: the view plus the Argon2id PHC string. */
export interface StoredUser extends UserView {
  name: string;
  /** `$argon2id$…`; empty when the user has no password (token-only). */
  hash: string;
  updatedAt: number;
}

interface UserRow {
  name: string;
  hash: string;
  roles: string;
  attributes: string;
  description: string | null;
  reserved: number;
  hidden: number;
  updated_at: number;
}

function toUser(r: UserRow): StoredUser {
  return {
    name: r.name,
    hash: r.hash,
    roles: JSON.parse(r.roles) as string[],
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    ...(r.description !== null ? { description: r.description } : {}),
    reserved: r.reserved === 1,
    hidden: r.hidden === 1,
    updatedAt: r.updated_at,
  };
}

export class SqliteUserStore {
  readonly #get: StatementSync;
  readonly #list: StatementSync;
  readonly #put: StatementSync;
  readonly #del: StatementSync;
  readonly #setHash: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(`CREATE TABLE IF NOT EXISTS security_users (
      name TEXT PRIMARY KEY, hash TEXT NOT NULL, roles TEXT NOT NULL, attributes TEXT NOT NULL,
      description TEXT, reserved INTEGER NOT NULL DEFAULT 0, hidden INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL)`);
    this.#get = db.prepare('SELECT * FROM security_users WHERE name = ?');
    this.#list = db.prepare('SELECT * FROM security_users ORDER BY name');
    this.#put = db.prepare(`INSERT INTO security_users (name, hash, roles, attributes, description, reserved, hidden, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, roles = excluded.roles,
      attributes = excluded.attributes, description = excluded.description, reserved = excluded.reserved,
      hidden = excluded.hidden, updated_at = excluded.updated_at`);
    this.#del = db.prepare('DELETE FROM security_users WHERE name = ?');
    this.#setHash = db.prepare('UPDATE security_users SET hash = ?, updated_at = ? WHERE name = ?');
  }

  get(name: string): StoredUser | undefined {
    const r = this.#get.get(name) as UserRow | undefined;
    return r ? toUser(r) : undefined;
  }

  list(): StoredUser[] {
    return (this.#list.all() as unknown as UserRow[]).map(toUser);
  }

  put(u: StoredUser): void {
    this.#put.run(u.name, u.hash, JSON.stringify(u.roles), JSON.stringify(u.attributes), u.description ?? null, u.reserved ? 1 : 0, u.hidden ? 1 : 0, u.updatedAt);
  }

  setHash(name: string, hash: string, at: number): void {
    this.#setHash.run(hash, at, name);
  }

  delete(name: string): boolean {
    return Number(this.#del.run(name).changes) > 0;
  }
}

export class SqliteRoleStore {
  readonly #list: StatementSync;
  readonly #put: StatementSync;
  readonly #del: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec('CREATE TABLE IF NOT EXISTS security_roles (name TEXT PRIMARY KEY, doc TEXT NOT NULL)');
    this.#list = db.prepare('SELECT name, doc FROM security_roles ORDER BY name');
    this.#put = db.prepare('INSERT INTO security_roles (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc');
    this.#del = db.prepare('DELETE FROM security_roles WHERE name = ?');
  }

  list(): Array<[string, RoleDoc]> {
    return (this.#list.all() as Array<{ name: string; doc: string }>).map((r) => [r.name, JSON.parse(r.doc) as RoleDoc]);
  }

  put(name: string, doc: RoleDoc): void {
    this.#put.run(name, JSON.stringify(doc));
  }

  delete(name: string): boolean {
    return Number(this.#del.run(name).changes) > 0;
  }
}
