/**
 * The security store on the state database (node:sqlite). Synchronous underneath; every write resolves
 * once it is durable. The daemon is the only writer of its data directory (the store lock), so callers
 * may keep what they read in memory.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  SecretRecords,
  SecurityChange,
  SecurityConfigName,
  SecurityConfigRecords,
  SecurityDocKind,
  SecurityDocReader,
  SecurityDocs,
  SecurityStore,
  UserRecord,
  UserRecords,
} from '../../security-types.ts';
import { SqliteSecurityAudit } from './audit.ts';
import { migrateSecurityTables } from './migrate.ts';
import { SqliteTokenRecords } from './tokens.ts';
import { SqliteUserRecords } from './users.ts';

export class SqliteSecurityStore implements SecurityStore {
  readonly users: UserRecords;
  readonly docs: SecurityDocReader;
  readonly tokens: SqliteTokenRecords;
  readonly secrets: SecretRecords;
  readonly audit: SqliteSecurityAudit;
  readonly config: SecurityConfigRecords;
  readonly #db: DatabaseSync;
  readonly #durable: () => Promise<void>;
  readonly #userRows: SqliteUserRecords;
  readonly #putDoc: StatementSync;
  readonly #delDoc: StatementSync;

  /** `durable` resolves once the writes made so far are on disk. `auditMaxRows`: the audit log's cap (default 1 000 000). */
  constructor(db: DatabaseSync, durable: () => Promise<void>, o: { auditMaxRows?: number } = {}) {
    migrateSecurityTables(db);
    this.#db = db;
    this.#durable = durable;
    const rows = new SqliteUserRecords(db);
    this.#userRows = rows;
    this.tokens = new SqliteTokenRecords(db, durable);
    this.audit = new SqliteSecurityAudit(db, durable, o.auditMaxRows);
    this.#putDoc = db.prepare('INSERT INTO security_docs (kind, name, doc) VALUES (?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET doc = excluded.doc');
    this.#delDoc = db.prepare('DELETE FROM security_docs WHERE kind = ? AND name = ?');
    const listDocs = db.prepare('SELECT name, doc FROM security_docs WHERE kind = ? ORDER BY name');
    const getDoc = db.prepare('SELECT doc FROM security_docs WHERE kind = ? AND name = ?');
    this.users = {
      get: async (name) => rows.get(name),
      list: async () => rows.list(),
      put: (u) => this.apply([{ kind: 'users', name: u.name, value: u }]),
      delete: async (name) => {
        const existed = rows.get(name) !== undefined;
        if (existed) await this.apply([{ kind: 'users', name, value: null }]);
        return existed;
      },
    };
    this.docs = {
      list: async <K extends SecurityDocKind>(kind: K) =>
        (listDocs.all(kind) as Array<{ name: string; doc: string }>).map((r): [string, SecurityDocs[K]] => [r.name, JSON.parse(r.doc) as SecurityDocs[K]]),
      get: async <K extends SecurityDocKind>(kind: K, name: string) => {
        const r = getDoc.get(kind, name) as { doc: string } | undefined;
        return r ? (JSON.parse(r.doc) as SecurityDocs[K]) : undefined;
      },
    };
    const getSecret = db.prepare('SELECT value FROM security_secrets WHERE name = ?');
    const putSecret = db.prepare('INSERT INTO security_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
    this.secrets = {
      get: async (name) => {
        const r = getSecret.get(name) as { value: Uint8Array } | undefined;
        return r ? new Uint8Array(r.value) : undefined;
      },
      putIfAbsent: async (name, value) => {
        putSecret.run(name, value);
        await durable();
        return new Uint8Array((getSecret.get(name) as { value: Uint8Array }).value);
      },
    };
    const getConfig = db.prepare('SELECT doc FROM security_config WHERE name = ?');
    const putConfig = db.prepare('INSERT INTO security_config (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc');
    this.config = {
      get: async (name: SecurityConfigName) => {
        const r = getConfig.get(name) as { doc: string } | undefined;
        return r ? (JSON.parse(r.doc) as unknown) : undefined;
      },
      put: async (name: SecurityConfigName, doc: unknown) => {
        putConfig.run(name, JSON.stringify(doc));
        await durable();
      },
    };
  }

  async apply(changes: SecurityChange[]): Promise<void> {
    if (changes.length === 0) return;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const c of changes) {
        if (c.kind === 'users') {
          if (c.value) this.#userRows.put(c.value as UserRecord);
          else {
            this.#userRows.delete(c.name);
            this.tokens.deleteForUserSync(c.name);
          }
        } else if (c.value) this.#putDoc.run(c.kind, c.name, JSON.stringify(c.value));
        else this.#delDoc.run(c.kind, c.name);
      }
      this.#db.exec('COMMIT');
    } catch (e) {
      this.#db.exec('ROLLBACK');
      throw e;
    }
    await this.#durable();
  }
}
