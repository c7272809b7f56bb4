/**
 * The security tables, created or brought up to date when the store opens. Databases written by
 * earlier versions keep working: columns added since are added with defaults that mean what the old
 * rows meant, and role documents of the earlier shape (`permissions` granted in `tenants`) are rewritten
 * in the current shape, granting exactly what they granted.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { RoleRecord } from '../../security-types.ts';

function columns(db: DatabaseSync, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
}

function tableExists(db: DatabaseSync, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** A role document as earlier versions stored it. */
interface LegacyRole {
  permissions?: string[];
  tenants?: string[];
  endpoints_disabled?: Record<string, string[]>;
  description?: string;
  reserved?: boolean;
  hidden?: boolean;
}

/**
 * The current shape of an earlier role: account and security permissions become cluster permissions,
 * watch permissions become tenant permissions in the role's tenants, and every index stays allowed
 * (earlier roles did not restrict indices). `*` grants both.
 */
export function upgradeLegacyRole(old: LegacyRole): RoleRecord {
  const perms = old.permissions ?? [];
  const cluster = perms.filter((p) => p === '*' || p.startsWith('account:') || p.startsWith('security:'));
  const watch = perms.filter((p) => p === '*' || p.startsWith('watch:'));
  return {
    cluster_permissions: cluster,
    index_permissions: [{ index_patterns: ['*'], allowed_actions: ['*'] }],
    tenant_permissions: watch.length ? [{ tenant_patterns: old.tenants ?? ['*'], allowed_actions: watch }] : [],
    ...(old.endpoints_disabled ? { endpoints_disabled: old.endpoints_disabled } : {}),
    ...(old.description !== undefined ? { description: old.description } : {}),
    ...(old.reserved ? { reserved: true } : {}),
    ...(old.hidden ? { hidden: true } : {}),
  };
}

export function migrateSecurityTables(db: DatabaseSync): void {
  // One transaction: the tables appear together (or not at all), in one commit rather than one each.
  db.exec('BEGIN IMMEDIATE');
  try {
    migrate(db);
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

function migrate(db: DatabaseSync): void {
  db.exec(`CREATE TABLE IF NOT EXISTS security_users (
    name TEXT PRIMARY KEY, hash TEXT NOT NULL, roles TEXT NOT NULL, attributes TEXT NOT NULL,
    description TEXT, reserved INTEGER NOT NULL DEFAULT 0, hidden INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL)`);
  if (!columns(db, 'security_users').includes('backend_roles')) db.exec("ALTER TABLE security_users ADD COLUMN backend_roles TEXT NOT NULL DEFAULT '[]'");

  db.exec('CREATE TABLE IF NOT EXISTS security_docs (kind TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, name))');
  if (tableExists(db, 'security_roles')) {
    // Earlier versions kept roles in a table of their own, in the earlier shape.
    const insert = db.prepare("INSERT OR REPLACE INTO security_docs (kind, name, doc) VALUES ('roles', ?, ?)");
    for (const r of db.prepare('SELECT name, doc FROM security_roles').all() as Array<{ name: string; doc: string }>) {
      const doc = JSON.parse(r.doc) as LegacyRole & Partial<RoleRecord>;
      insert.run(r.name, JSON.stringify(doc.cluster_permissions ? doc : upgradeLegacyRole(doc)));
    }
    db.exec('DROP TABLE security_roles');
  }

  db.exec(`CREATE TABLE IF NOT EXISTS security_tokens (id TEXT PRIMARY KEY, user TEXT NOT NULL, hash BLOB NOT NULL, kid TEXT NOT NULL,
    name TEXT, created_at INTEGER NOT NULL, expires_at INTEGER, last_used_at INTEGER)`);
  db.exec('CREATE UNIQUE INDEX IF NOT EXISTS security_tokens_hash ON security_tokens (hash)');
  db.exec('CREATE TABLE IF NOT EXISTS security_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)');

  db.exec(`CREATE TABLE IF NOT EXISTS security_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,
    user TEXT, address TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER NOT NULL,
    count INTEGER NOT NULL DEFAULT 1)`);
  const audit = columns(db, 'security_audit');
  // Rows written before summing stand for one event each; before categories and bodies they had neither.
  if (!audit.includes('count')) db.exec('ALTER TABLE security_audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1');
  if (!audit.includes('category')) db.exec('ALTER TABLE security_audit ADD COLUMN category TEXT');
  if (!audit.includes('body')) db.exec('ALTER TABLE security_audit ADD COLUMN body TEXT');
  db.exec('CREATE INDEX IF NOT EXISTS security_audit_time ON security_audit (time)');

  db.exec('CREATE TABLE IF NOT EXISTS security_config (name TEXT PRIMARY KEY, doc TEXT NOT NULL)');
}
