/** The SecurityStore conformance suite on SQLite, and databases written by earlier versions. */
import { describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { securityStoreSuite } from './security-store-suite.ts';

const tempDir = tempDirs('vigil-secstore-');

securityStoreSuite('sqlite', async () => {
  const store = new SqliteStateStore(tempDir());
  return { store: store.security, close: () => store.close() };
});

describe('SqliteSecurityStore on a database of an earlier version', () => {
  it('opens it and keeps its users, roles (in the current shape), tokens, peppers and audit rows', async () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'vigil.db'));
    // The tables as the earlier security module made them.
    db.exec(`CREATE TABLE security_users (name TEXT PRIMARY KEY, hash TEXT NOT NULL, roles TEXT NOT NULL, attributes TEXT NOT NULL,
      description TEXT, reserved INTEGER NOT NULL DEFAULT 0, hidden INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL)`);
    db.exec('CREATE TABLE security_roles (name TEXT PRIMARY KEY, doc TEXT NOT NULL)');
    db.exec(`CREATE TABLE security_tokens (id TEXT PRIMARY KEY, user TEXT NOT NULL, hash BLOB NOT NULL, kid TEXT NOT NULL,
      name TEXT, created_at INTEGER NOT NULL, expires_at INTEGER, last_used_at INTEGER)`);
    db.exec('CREATE TABLE security_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)');
    db.exec(`CREATE TABLE security_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,
      user TEXT, address TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER NOT NULL)`);
    db.prepare('INSERT INTO security_users VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('kirk', '$argon2id$h', '["ops"]', '{"ship":"e"}', null, 0, 1, 5);
    db.prepare('INSERT INTO security_roles VALUES (?, ?)').run('ops', JSON.stringify({ permissions: ['watch:*', 'account:read'], tenants: ['ops'], endpoints_disabled: { '/_signals/watch': ['DELETE'] } }));
    db.prepare('INSERT INTO security_roles VALUES (?, ?)').run('all', JSON.stringify({ permissions: ['*'], tenants: ['*'], description: 'd' }));
    db.prepare('INSERT INTO security_roles VALUES (?, ?)').run('none', JSON.stringify({ permissions: [], tenants: ['*'] }));
    db.prepare('INSERT INTO security_tokens VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('t1', 'kirk', new Uint8Array(32).fill(7), 'local', 'ci', 1, null, null);
    db.prepare('INSERT INTO security_secrets VALUES (?, ?)').run('token_pepper', new Uint8Array([9, 9]));
    db.prepare('INSERT INTO security_audit (time, user, address, method, path, outcome, status) VALUES (?, ?, ?, ?, ?, ?, ?)').run(1, 'kirk', '10.0.0.1', 'PUT', '/a', 'SUCCESS', 200);
    db.close();

    for (let i = 0; i < 2; i++) {
      // Twice: opening an up-to-date database changes nothing.
      const store = new SqliteStateStore(dir);
      const s = store.security;
      try {
        expect(await s.users.get('kirk')).toEqual({ name: 'kirk', hash: '$argon2id$h', roles: ['ops'], backendRoles: [], attributes: { ship: 'e' }, reserved: false, hidden: true, updatedAt: 5 });
        expect(await s.docs.get('roles', 'ops')).toEqual({
          cluster_permissions: ['account:read'],
          index_permissions: [{ index_patterns: ['*'], allowed_actions: ['*'] }],
          tenant_permissions: [{ tenant_patterns: ['ops'], allowed_actions: ['watch:*'] }],
          endpoints_disabled: { '/_signals/watch': ['DELETE'] },
        });
        expect(await s.docs.get('roles', 'all')).toMatchObject({ cluster_permissions: ['*'], tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['*'] }], description: 'd' });
        expect(await s.docs.get('roles', 'none')).toMatchObject({ cluster_permissions: [], tenant_permissions: [] });
        expect((await s.tokens.byHash(new Uint8Array(32).fill(7)))?.user).toBe('kirk');
        expect(await s.secrets.get('token_pepper')).toEqual(new Uint8Array([9, 9]));
        expect((await s.audit.query({})).hits).toEqual([{ time: 1, user: 'kirk', address: '10.0.0.1', method: 'PUT', path: '/a', outcome: 'SUCCESS', status: 200, count: 1 }]);
      } finally {
        await store.close();
      }
    }
  });
});
