/**
 * What the cluster's security store adds to the conformance suite: a batch (`apply`) interrupted by a
 * crash is finished by the next start or the next apply (it was journalled whole first), and a
 * malformed record fails the batch before anything is written, naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import type { SecurityChange, UserRecord } from '../../../src/state/security-types.ts';
import { docStore, freshPrefix, openStore } from './kit.ts';

const user = (name: string): UserRecord => ({ name, hash: '$argon2id$x', roles: ['r'], backendRoles: [], attributes: {}, reserved: false, hidden: false, updatedAt: 1 });

describe.each(FLAVOURS)('cluster security store on %s', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());

  /** What a process killed in the middle of `apply` leaves: the journal, and only part of the batch. */
  async function interruptedApply(prefix: string, changes: SecurityChange[], applied: number): Promise<void> {
    const ds = docStore(cluster.url);
    await ds.write({ op: 'create', index: `${prefix}-security`, id: '_apply:journal', document: { kind: '_apply', name: 'journal', body: { changes } } });
    for (const c of changes.slice(0, applied)) await ds.write({ op: 'index', index: `${prefix}-security`, id: `${c.kind}:${c.name}`, document: { kind: c.kind, name: c.name, body: c.value } });
    await ds.close();
  }

  it('a batch interrupted by a crash is finished at the next start', async () => {
    const prefix = freshPrefix();
    const first = await openStore(cluster.url, { prefix });
    await first.security.apply([{ kind: 'roles', name: 'old', value: { cluster_permissions: [], index_permissions: [], tenant_permissions: [] } }]);
    await first.close();
    const batch: SecurityChange[] = [
      { kind: 'users', name: 'kirk', value: user('kirk') },
      { kind: 'roles', name: 'old', value: null },
      { kind: 'tenants', name: 'ops', value: { description: 'on call' } },
    ];
    await interruptedApply(prefix, batch, 1);
    const store = await openStore(cluster.url, { prefix });
    const ds = docStore(cluster.url);
    try {
      expect(await store.security.users.get('kirk')).toEqual(user('kirk'));
      expect(await store.security.docs.list('roles')).toEqual([]);
      expect(await store.security.docs.get('tenants', 'ops')).toEqual({ description: 'on call' });
      expect(await ds.get(`${prefix}-security`, '_apply:journal')).toBeUndefined();
    } finally {
      await ds.close();
      await store.close();
    }
  });

  it('an apply that finds an unfinished batch finishes it first, then writes its own', async () => {
    const prefix = freshPrefix();
    const store = await openStore(cluster.url, { prefix });
    try {
      await interruptedApply(prefix, [{ kind: 'users', name: 'a', value: user('a') }, { kind: 'users', name: 'b', value: user('b') }], 0);
      await store.security.apply([{ kind: 'users', name: 'b', value: null }, { kind: 'users', name: 'c', value: user('c') }]);
      expect((await store.security.users.list()).map((u) => u.name)).toEqual(['a', 'c']);
    } finally {
      await store.close();
    }
  });

  it('a malformed record fails the whole batch before anything is written, naming the field', async () => {
    const store = await openStore(cluster.url);
    try {
      const bad = { ...user('x'), roles: 'admin' } as unknown as UserRecord;
      const err = await store.security.apply([{ kind: 'users', name: 'ok', value: user('ok') }, { kind: 'users', name: 'x', value: bad }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', detail: { 'changes[1].value.roles': [expect.anything()] } });
      expect(await store.security.users.get('ok')).toBeUndefined();
      const extra = await store.security.users.put({ ...user('y'), password: 'secret' } as unknown as UserRecord).catch((e: unknown) => e);
      expect(extra).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(JSON.stringify(extra)).not.toContain('secret');
    } finally {
      await store.close();
    }
  });
});
