import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { UserRecord } from '../../security-types.ts';

interface UserRow {
  name: string;
  hash: string;
  roles: string;
  backend_roles: string;
  attributes: string;
  description: string | null;
  reserved: number;
  hidden: number;
  updated_at: number;
}

function toUser(r: UserRow): UserRecord {
  return {
    name: r.name,
    hash: r.hash,
    roles: JSON.parse(r.roles) as string[],
    backendRoles: JSON.parse(r.backend_roles) as string[],
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    ...(r.description !== null ? { description: r.description } : {}),
    reserved: r.reserved === 1,
    hidden: r.hidden === 1,
    updatedAt: r.updated_at,
  };
}

/** Rows of `security_users`; synchronous, used inside the store's transactions. */
export class SqliteUserRecords {
  readonly #get: StatementSync;
  readonly #list: StatementSync;
  readonly #put: StatementSync;
  readonly #del: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT * FROM security_users WHERE name = ?');
    this.#list = db.prepare('SELECT * FROM security_users ORDER BY name');
    this.#put = db.prepare(`INSERT INTO security_users (name, hash, roles, backend_roles, attributes, description, reserved, hidden, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, roles = excluded.roles,
      backend_roles = excluded.backend_roles, attributes = excluded.attributes, description = excluded.description,
      reserved = excluded.reserved, hidden = excluded.hidden, updated_at = excluded.updated_at`);
    this.#del = db.prepare('DELETE FROM security_users WHERE name = ?');
  }

  get(name: string): UserRecord | undefined {
    const r = this.#get.get(name) as UserRow | undefined;
    return r ? toUser(r) : undefined;
  }

  list(): UserRecord[] {
    return (this.#list.all() as unknown as UserRow[]).map(toUser);
  }

  put(u: UserRecord): void {
    this.#put.run(u.name, u.hash, JSON.stringify(u.roles), JSON.stringify(u.backendRoles), JSON.stringify(u.attributes), u.description ?? null,
      u.reserved ? 1 : 0, u.hidden ? 1 : 0, u.updatedAt);
  }

  delete(name: string): void {
    this.#del.run(name);
  }
}
