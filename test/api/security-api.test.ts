/**
 * The OpenSearch Security API paths: role mappings, action groups, tenants, JSON Patch operations,
 * bcrypt hashes imported from OpenSearch, and reserved/hidden never settable over REST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { basic, bearer, startAdminHarness, type AdminHarness } from './harness.ts';

const API = '/_plugins/_security/api';

describe('security API: mappings, action groups, tenants', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness();
  });
  afterAll(() => h?.close());
  const call = (method: 'GET' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => h.call({ method, url, headers: h.admin, ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('role mappings give roles by backend role, user and address; the mapped role must exist', async () => {
    await h.security.users.put({ name: 'scotty', hash: '', roles: [], backendRoles: ['engineering'], attributes: {}, reserved: false, hidden: false, updatedAt: 0 });
    const t = { authorization: bearer((await h.security.tokens.create('scotty', 0)).token) };
    expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: t })).statusCode).toBe(403);
    expect((await call('PUT', `${API}/rolesmapping/nope`, { users: ['x'] })).statusCode).toBe(400);
    expect((await call('PUT', `${API}/rolesmapping/viewer`, { backend_roles: ['engineering'], hosts: ['host.example.com'] })).json().detail).toHaveProperty(['hosts.0']);
    const put = await call('PUT', `${API}/rolesmapping/viewer`, { backend_roles: ['engineer*'] });
    expect(put.statusCode).toBe(201);
    expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: t })).statusCode).toBe(200);
    const me = (await h.call({ method: 'GET', url: `${API}/account`, headers: t })).json();
    expect(me).toMatchObject({ user_name: 'scotty', backend_roles: ['engineering'], roles: ['viewer'], is_internal_user: true, tenants: { _main: false } });
    expect((await call('GET', `${API}/rolesmapping/viewer`)).json()).toEqual({ viewer: { users: [], backend_roles: ['engineer*'], and_backend_roles: [], hosts: [], reserved: false, hidden: false, static: false } });
    await call('PATCH', `${API}/rolesmapping/viewer`, [{ op: 'replace', path: '/backend_roles', value: [] }, { op: 'add', path: '/hosts/-', value: '127.0.0.0/8' }]);
    // The harness's client address is 127.0.0.1: mapped by host now.
    expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: t })).statusCode).toBe(200);
    expect((await call('DELETE', `${API}/rolesmapping/viewer`)).json()).toEqual({ status: 'OK', message: "'viewer' deleted." });
    expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: t })).statusCode).toBe(403);
  });

  it('action groups: built-in ones listed and read-only, custom ones nest (without cycles) and grant through roles', async () => {
    const all = (await call('GET', `${API}/actiongroups`)).json();
    expect(all.VIGIL_WATCH_MANAGE).toMatchObject({ reserved: true, static: true, type: 'tenant' });
    expect((await call('PUT', `${API}/actiongroups/VIGIL_WATCH_READ`, { allowed_actions: ['*'] })).statusCode).toBe(403);
    const bulk = await call('PATCH', `${API}/actiongroups`, [
      { op: 'add', path: '/ONCALL', value: { allowed_actions: ['ACK_ONLY', 'watch:read'] } },
      { op: 'add', path: '/ACK_ONLY', value: { allowed_actions: ['VIGIL_WATCH_ACKNOWLEDGE'], type: 'kibana' } },
    ]);
    expect(bulk.statusCode).toBe(200);
    expect((await call('GET', `${API}/actiongroups/ACK_ONLY`)).json().ACK_ONLY).toMatchObject({ type: 'tenant', static: false });
    const cycle = await call('PATCH', `${API}/actiongroups/ACK_ONLY`, [{ op: 'add', path: '/allowed_actions/-', value: 'ONCALL' }]);
    expect(cycle.statusCode).toBe(400);
    expect(cycle.json().detail).toHaveProperty(['allowed_actions']);
    expect((await call('PUT', `${API}/roles/oncall`, { tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['ONCALL'] }] })).statusCode).toBe(201);
    const t = { authorization: bearer(await h.tokenFor('chekov', ['oncall'])) };
    expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: t })).statusCode).toBe(200);
    expect((await h.call({ method: 'PUT', url: '/_signals/watch/_main/w1', headers: t, payload: {} })).statusCode).toBe(403);
  });

  it('tenants: create makes the folder, delete is refused while it holds watches, _main is built in', async () => {
    const dir = h.app.config.watches_dir;
    const list = (await call('GET', `${API}/tenants`)).json();
    expect(list._main).toMatchObject({ reserved: true, static: true });
    expect((await call('PUT', `${API}/tenants/bad.name`, {})).statusCode).toBe(400);
    expect((await call('PUT', `${API}/tenants/sec`, { description: 'security team', run_as_role: 'nope' })).json().detail).toHaveProperty(['run_as_role']);
    expect((await call('PUT', `${API}/tenants/sec`, { description: 'security team', run_as_role: 'viewer' })).statusCode).toBe(201);
    expect(existsSync(join(dir, 'sec'))).toBe(true);
    expect((await call('GET', `${API}/tenants/sec`)).json()).toEqual({ sec: { description: 'security team', run_as_role: 'viewer', reserved: false, hidden: false, static: false } });
    await writeFile(join(dir, 'sec', 'w1.json'), '{}');
    const refused = await call('DELETE', `${API}/tenants/sec`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().status).toBe('CONFLICT');
    expect(h.security.directory.doc('tenants', 'sec')).toBeDefined();
    // A folder made by hand is a tenant too, listed without a description.
    await mkdir(join(dir, 'handmade'));
    expect((await call('GET', `${API}/tenants`)).json().handmade).toEqual({ reserved: false, hidden: false, static: false });
    expect((await call('DELETE', `${API}/tenants/handmade`)).statusCode).toBe(200);
    expect(existsSync(join(dir, 'handmade'))).toBe(false);
    expect((await call('PATCH', `${API}/tenants/sec`, [{ op: 'replace', path: '/description', value: 'sec ops' }])).statusCode).toBe(200);
    expect((await call('DELETE', `${API}/tenants/_main`)).statusCode).toBe(403);
  });
});

describe('security API: reserved and hidden are never set over REST', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness();
  });
  afterAll(() => h?.close());

  it('refuses true in PUT, PATCH and bulk PATCH of every kind, and writes nothing', async () => {
    await h.security.users.put({ name: 'kirk', hash: '', roles: ['viewer'], backendRoles: [], attributes: {}, reserved: false, hidden: false, updatedAt: 0 });
    const attempts: Array<[string, string, unknown]> = [
      ['PUT', `${API}/internalusers/sneaky`, { password: 'invisible-admin', opendistro_security_roles: ['admin'], hidden: true }],
      ['PUT', `${API}/internalusers/sneaky`, { password: 'invisible-admin', opendistro_security_roles: ['admin'], reserved: true }],
      ['PATCH', `${API}/internalusers/kirk`, [{ op: 'replace', path: '/hidden', value: true }]],
      ['PATCH', `${API}/internalusers`, [{ op: 'add', path: '/sneaky', value: { password: 'invisible-admin', reserved: true, hidden: true } }]],
      ['PUT', `/_vigil/security/internalusers/sneaky`, { password: 'invisible-admin', hidden: true }],
      ['PUT', `${API}/roles/sneaky`, { cluster_permissions: ['*'], reserved: true }],
      ['PUT', `${API}/rolesmapping/admin`, { users: ['kirk'], hidden: true }],
      ['PUT', `${API}/actiongroups/SNEAKY`, { allowed_actions: ['*'], reserved: true }],
      ['PUT', `${API}/tenants/sneaky`, { hidden: true }],
      ['PUT', `${API}/roles/sneaky`, { cluster_permissions: ['*'], static: true }],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await h.call({ method: method as 'PUT', url, headers: h.admin, payload: payload as object });
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(JSON.stringify(res.json().detail)).toMatch(/configuration files|built-in/);
    }
    expect(h.security.users.get('sneaky')).toBeUndefined();
    expect(h.security.users.get('kirk')).toMatchObject({ hidden: false, reserved: false });
    expect(h.security.directory.role('sneaky')).toBeUndefined();
    expect(h.security.directory.doc('rolesmapping', 'admin')).toBeUndefined();
    // What GET shows can be sent back: false is accepted.
    const view = (await h.call({ method: 'GET', url: `${API}/internalusers/kirk`, headers: h.admin })).json().kirk;
    expect((await h.call({ method: 'PUT', url: `${API}/internalusers/kirk`, headers: h.admin, payload: { ...view, description: 'captain' } })).statusCode).toBe(200);
    expect(h.security.users.get('kirk')).toMatchObject({ description: 'captain', roles: ['viewer'] });
  });
});

describe('security API: JSON Patch operations and imported bcrypt hashes', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness();
  });
  afterAll(() => h?.close());
  const patch = (url: string, ops: unknown[]) => h.call({ method: 'PATCH', url, headers: h.admin, payload: ops as object[] });

  it('applies add, remove, replace, move, copy and test; a failed test writes nothing', async () => {
    await h.call({ method: 'PUT', url: `${API}/roles/r1`, headers: h.admin, payload: { cluster_permissions: ['account:read'], description: 'one' } });
    const ok = await patch(`${API}/roles/r1`, [
      { op: 'test', path: '/description', value: 'one' },
      { op: 'copy', from: '/cluster_permissions', path: '/tenant_permissions/0' },
      { op: 'replace', path: '/tenant_permissions/0', value: { tenant_patterns: ['a'], allowed_actions: ['watch:read'] } },
      { op: 'add', path: '/cluster_permissions/-', value: 'account:manage' },
      { op: 'move', from: '/cluster_permissions/0', path: '/cluster_permissions/1' },
      { op: 'remove', path: '/description' },
    ]);
    expect(ok.json()).toEqual({ status: 'OK', message: "'r1' updated." });
    expect(h.security.directory.role('r1')).toEqual({ cluster_permissions: ['account:manage', 'account:read'], index_permissions: [], tenant_permissions: [{ tenant_patterns: ['a'], allowed_actions: ['watch:read'] }] });
    const failed = await patch(`${API}/roles`, [{ op: 'add', path: '/r2', value: { cluster_permissions: [] } }, { op: 'test', path: '/r1/cluster_permissions/0', value: 'nope' }]);
    expect(failed.statusCode).toBe(400);
    expect(failed.json().detail).toEqual({ 'patch.1': [{ error: 'TEST_OPERATION_FAILED' }] });
    expect(h.security.directory.role('r2')).toBeUndefined();
    const moved = await patch(`${API}/roles`, [{ op: 'move', from: '/r1', path: '/r3' }]);
    expect(moved.statusCode).toBe(200);
    expect(h.security.directory.role('r1')).toBeUndefined();
    expect(h.security.directory.role('r3')).toMatchObject({ cluster_permissions: ['account:manage', 'account:read'] });
    expect((await patch(`${API}/roles/r3`, [{ op: 'copy', path: '/x' }])).statusCode).toBe(400);
  });

  it('takes a bcrypt hash as OpenSearch stores it, logs in with it, and upgrades it to Argon2id', async () => {
    const pw = 'ahead warp factor 2';
    for (const [user, hash] of [['sulu', bcrypt.hashSync(pw, 4)], ['uhura', bcrypt.hashSync(pw, 5).replace(/^\$2b\$/, '$2y$')], ['rand', bcrypt.hashSync(pw, 4).replace(/^\$2b\$/, '$2a$')]] as const) {
      const put = await h.call({ method: 'PUT', url: `${API}/internalusers/${user}`, headers: h.admin, payload: { hash, opendistro_security_roles: ['viewer'], backend_roles: ['helm'] } });
      expect(put.statusCode, user).toBe(201);
      expect(put.body + (await h.call({ method: 'GET', url: `${API}/internalusers/${user}`, headers: h.admin })).body).not.toContain(hash.slice(7));
      expect((await h.call({ method: 'GET', url: `${API}/account`, headers: { authorization: basic(user, `${pw}x`) } })).statusCode).toBe(401);
      const me = await h.call({ method: 'GET', url: `${API}/account`, headers: { authorization: basic(user, pw) } });
      expect(me.statusCode, user).toBe(200);
      expect(me.json()).toMatchObject({ user_name: user, backend_roles: ['helm'], roles: ['viewer'] });
      // The upgrade hashes with Argon2id after the answer; on a loaded machine that takes past poll's default second.
      await expect.poll(() => h.security.users.get(user)!.hash, { timeout: 10_000 }).toMatch(/^\$argon2id\$/);
    }
    const costly = await h.call({ method: 'PUT', url: `${API}/internalusers/chekov`, headers: h.admin, payload: { hash: bcrypt.hashSync('x', 4).replace('$04$', '$15$') } });
    expect(costly.json().detail).toHaveProperty(['hash']);
    const garbage = await h.call({ method: 'PUT', url: `${API}/internalusers/chekov`, headers: h.admin, payload: { hash: '$1$md5crypt' } });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.body).not.toContain('md5crypt');
  });
});
