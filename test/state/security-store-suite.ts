/**
 * What every SecurityStore must do, whatever keeps the data: run it against an implementation with
 * `securityStoreSuite(name, open)`. `open` gives a fresh, empty store and a way to close it.
 */
import { describe, expect, it } from 'vitest';
import type { RoleRecord, SecurityStore, TokenRecord, UserRecord } from '../../src/state/security-types.ts';

export type OpenStore = () => Promise<{ store: SecurityStore; close(): Promise<void> }>;

const user = (name: string, extra: Partial<UserRecord> = {}): UserRecord => ({
  name, hash: '$argon2id$x', roles: ['viewer'], backendRoles: ['ops'], attributes: { team: 'a' }, reserved: false, hidden: false, updatedAt: 1, ...extra,
});
const role = (extra: Partial<RoleRecord> = {}): RoleRecord => ({ cluster_permissions: ['account:read'], index_permissions: [], tenant_permissions: [], ...extra });
const token = (id: string, userName: string, byte: number, kid = 'k1'): TokenRecord => ({
  id, user: userName, hash: new Uint8Array(32).fill(byte), kid, name: null, createdAt: byte, expiresAt: null, lastUsedAt: null,
});

export function securityStoreSuite(name: string, open: OpenStore): void {
  describe(`SecurityStore conformance: ${name}`, () => {
    const withStore = (fn: (s: SecurityStore) => Promise<void>) => async () => {
      const { store, close } = await open();
      try {
        await fn(store);
      } finally {
        await close();
      }
    };

    it('users: put, get, list in name order, replace, delete', withStore(async (s) => {
      await s.users.put(user('kirk', { description: 'captain' }));
      await s.users.put(user('bones', { hash: '', hidden: true }));
      expect(await s.users.get('kirk')).toEqual(user('kirk', { description: 'captain' }));
      expect((await s.users.list()).map((u) => u.name)).toEqual(['bones', 'kirk']);
      await s.users.put(user('kirk', { roles: [], backendRoles: [] }));
      expect(await s.users.get('kirk')).toEqual(user('kirk', { roles: [], backendRoles: [] }));
      expect(await s.users.delete('kirk')).toBe(true);
      expect(await s.users.delete('kirk')).toBe(false);
      expect(await s.users.get('kirk')).toBeUndefined();
    }));

    it('documents by kind: each kind is its own namespace', withStore(async (s) => {
      await s.apply([
        { kind: 'roles', name: 'ops', value: role() },
        { kind: 'rolesmapping', name: 'ops', value: { users: ['kirk'], backend_roles: [], and_backend_roles: [], hosts: [] } },
        { kind: 'actiongroups', name: 'OPS', value: { allowed_actions: ['watch:read'] } },
        { kind: 'tenants', name: 'ops', value: { description: 'on call' } },
      ]);
      expect(await s.docs.list('roles')).toEqual([['ops', role()]]);
      expect(await s.docs.get('rolesmapping', 'ops')).toMatchObject({ users: ['kirk'] });
      expect(await s.docs.get('tenants', 'ops')).toEqual({ description: 'on call' });
      expect(await s.docs.get('tenants', 'OPS')).toBeUndefined();
      await s.apply([{ kind: 'roles', name: 'ops', value: null }]);
      expect(await s.docs.list('roles')).toEqual([]);
      expect(await s.docs.list('actiongroups')).toHaveLength(1);
    }));

    it('apply writes every change or none', withStore(async (s) => {
      await s.apply([{ kind: 'roles', name: 'a', value: role() }]);
      const poisoned = { kind: 'users', name: 'x', value: { ...user('x'), roles: undefined } } as never;
      await expect(s.apply([{ kind: 'roles', name: 'a', value: null }, { kind: 'roles', name: 'b', value: role() }, poisoned])).rejects.toThrow();
      expect((await s.docs.list('roles')).map(([n]) => n)).toEqual(['a']);
      expect(await s.users.get('x')).toBeUndefined();
    }));

    it('tokens: found by hash and id, listed oldest first, touched, deleted; a deleted user takes their tokens along', withStore(async (s) => {
      await s.users.put(user('kirk'));
      await s.tokens.insert(token('t2', 'kirk', 2));
      await s.tokens.insert(token('t1', 'kirk', 1, 'local'));
      await s.tokens.insert(token('t3', 'spock', 3));
      expect((await s.tokens.byHash(new Uint8Array(32).fill(2)))?.id).toBe('t2');
      expect(await s.tokens.byHash(new Uint8Array(32).fill(9))).toBeUndefined();
      expect((await s.tokens.list()).map((t) => t.id)).toEqual(['t1', 't2', 't3']);
      expect((await s.tokens.list('kirk')).map((t) => t.id)).toEqual(['t1', 't2']);
      expect(await s.tokens.kids()).toEqual(['k1', 'local']);
      await s.tokens.touch('t2', 99);
      expect((await s.tokens.get('t2'))?.lastUsedAt).toBe(99);
      expect(await s.tokens.delete('t3')).toBe(true);
      expect(await s.tokens.delete('t3')).toBe(false);
      await s.users.delete('kirk');
      expect(await s.tokens.list()).toEqual([]);
    }));

    it('secrets: the first value stored wins', withStore(async (s) => {
      expect(await s.secrets.get('pepper')).toBeUndefined();
      expect(await s.secrets.putIfAbsent('pepper', new Uint8Array([1, 2]))).toEqual(new Uint8Array([1, 2]));
      expect(await s.secrets.putIfAbsent('pepper', new Uint8Array([3]))).toEqual(new Uint8Array([1, 2]));
      expect(await s.secrets.get('pepper')).toEqual(new Uint8Array([1, 2]));
    }));

    it('audit: appended rows come back newest first, filtered by time and user, sized', withStore(async (s) => {
      const row = (time: number, u: string | null) => ({ time, user: u, address: '10.0.0.1', method: 'PUT', path: '/x', outcome: 'SUCCESS' as const, status: 200, count: 1 });
      await s.audit.append([row(1000, 'kirk'), row(2000, null), { ...row(3000, 'kirk'), category: 'GRANTED_PRIVILEGES', body: '{"a":1}' }]);
      const all = await s.audit.query({});
      expect(all.total).toBe(3);
      expect(all.hits[0]).toEqual({ ...row(3000, 'kirk'), category: 'GRANTED_PRIVILEGES', body: '{"a":1}' });
      expect((await s.audit.query({ user: 'kirk', from: 1500 })).hits.map((h) => h.time)).toEqual([3000]);
      expect((await s.audit.query({ to: 2000, size: 1 })).hits.map((h) => h.time)).toEqual([2000]);
    }));

    it('configuration documents are kept whole', withStore(async (s) => {
      expect(await s.config.get('audit')).toBeUndefined();
      await s.config.put('audit', { enabled: false, audit: { ignore_users: ['x'] } });
      await s.config.put('security', { config: { dynamic: {} } });
      expect(await s.config.get('audit')).toEqual({ enabled: false, audit: { ignore_users: ['x'] } });
      expect(await s.config.get('security')).toEqual({ config: { dynamic: {} } });
    }));
  });
}
