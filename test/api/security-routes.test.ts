/** internalusers / roles CRUD, PATCH and bulk PATCH, reserved and hidden semantics, audit reads. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAdminHarness, type AdminHarness } from './harness.ts';

const U = '/_vigil/security/internalusers';
const R = '/_vigil/security/roles';

describe('security endpoints', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness();
    await h.security.users.put({ name: 'ghost', hash: '', roles: ['viewer'], backendRoles: [], attributes: {}, reserved: false, hidden: true, updatedAt: 0 });
    await h.security.users.put({ name: 'pinned', hash: '', roles: ['viewer'], backendRoles: [], attributes: {}, reserved: true, hidden: false, updatedAt: 0 });
  });
  afterAll(() => h?.close());

  it('creates, reads, replaces and deletes a user; the password and hash are never returned', async () => {
    const put = await h.call({ method: 'PUT', url: `${U}/kirk`, headers: h.admin, payload: { password: 'enterprise-1701', roles: ['viewer'], attributes: { ship: 'enterprise' } } });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toEqual({ status: 'CREATED', message: "'kirk' created." });
    const get = await h.call({ method: 'GET', url: `${U}/kirk`, headers: h.admin });
    expect(get.json()).toEqual({ kirk: { hash: '', opendistro_security_roles: ['viewer'], backend_roles: [], attributes: { ship: 'enterprise' }, reserved: false, hidden: false, static: false } });
    const replace = await h.call({ method: 'PUT', url: `${U}/kirk`, headers: h.admin, payload: { roles: ['watch_manager'] } });
    expect(replace.json()).toEqual({ status: 'OK', message: "'kirk' updated." });
    expect(h.security.users.get('kirk')!.hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/); // kept
    const all = await h.call({ method: 'GET', url: U, headers: h.admin });
    expect(Object.keys(all.json()).sort()).toEqual(['kirk', 'pinned', 'root']);
    expect(all.body).not.toMatch(/enterprise-1701|argon2/);
    const del = await h.call({ method: 'DELETE', url: `${U}/kirk`, headers: h.admin });
    expect(del.json()).toEqual({ status: 'OK', message: "'kirk' deleted." });
    const gone = await h.call({ method: 'GET', url: `${U}/kirk`, headers: h.admin });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ status: 'NOT_FOUND', message: "'kirk' not found." });
  });

  it('validates users: unknown role, missing password, unknown field, bad name', async () => {
    expect((await h.call({ method: 'PUT', url: `${U}/spock`, headers: h.admin, payload: { password: 'vulcan-vulcan', roles: ['nope'] } })).json()).toMatchObject({ status: 'BAD_REQUEST', detail: { roles: expect.any(Array) } });
    expect((await h.call({ method: 'PUT', url: `${U}/spock`, headers: h.admin, payload: { roles: [] } })).statusCode).toBe(400);
    const extra = await h.call({ method: 'PUT', url: `${U}/spock`, headers: h.admin, payload: { password: 'vulcan-vulcan', rank: 'x' } });
    expect(extra.statusCode).toBe(400);
    expect(extra.body).not.toContain('vulcan-vulcan');
    expect((await h.call({ method: 'PUT', url: `${U}/__proto__`, headers: h.admin, payload: { password: 'vulcan-vulcan' } })).statusCode).toBe(400);
  });

  it('reserved users and roles are read-only (403); built-in roles are reserved', async () => {
    for (const req of [
      { method: 'PUT' as const, url: `${U}/pinned`, payload: { roles: [] } },
      { method: 'DELETE' as const, url: `${U}/pinned` },
      { method: 'PATCH' as const, url: `${U}/pinned`, payload: [{ op: 'replace', path: '/roles', value: ['admin'] }] },
      { method: 'PUT' as const, url: `${R}/admin`, payload: { cluster_permissions: [] } },
      { method: 'DELETE' as const, url: `${R}/viewer` },
      { method: 'PATCH' as const, url: R, payload: [{ op: 'remove', path: '/watch_manager' }] },
    ]) {
      const res = await h.call({ ...req, headers: h.admin });
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(403);
      expect(res.json().status).toBe('FORBIDDEN');
    }
    expect(h.security.users.get('pinned')!.roles).toEqual(['viewer']);
    const admin_ = await h.call({ method: 'GET', url: `${R}/admin`, headers: h.admin });
    expect(admin_.json()).toMatchObject({ admin: { cluster_permissions: ['*'], reserved: true, static: true } });
  });

  it('hidden users are 404 and not listed, also for PUT, PATCH, DELETE and bulk PATCH', async () => {
    expect((await h.call({ method: 'GET', url: `${U}/ghost`, headers: h.admin })).statusCode).toBe(404);
    expect((await h.call({ method: 'PUT', url: `${U}/ghost`, headers: h.admin, payload: { password: 'boo-boo-boo' } })).statusCode).toBe(404);
    expect((await h.call({ method: 'DELETE', url: `${U}/ghost`, headers: h.admin })).statusCode).toBe(404);
    expect((await h.call({ method: 'PATCH', url: U, headers: h.admin, payload: [{ op: 'add', path: '/ghost', value: { password: 'boo-boo-boo' } }] })).statusCode).toBe(404);
    expect(Object.keys((await h.call({ method: 'GET', url: U, headers: h.admin })).json())).not.toContain('ghost');
    expect(h.security.users.get('ghost')).toMatchObject({ hidden: true, roles: ['viewer'] });
  });

  it('roles: PUT validates, PATCH (RFC 6902) is validated after applying, and grants take effect', async () => {
    const bad = await h.call({ method: 'PUT', url: `${R}/ops`, headers: h.admin, payload: { tenant_permissions: [{ tenant_patterns: ['ops'], allowed_actions: ['watch:fly'] }] } });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().detail)).toEqual(['tenant_permissions.0.allowed_actions.0']);
    const put = await h.call({ method: 'PUT', url: `${R}/ops`, headers: h.admin, payload: { tenant_permissions: [{ tenant_patterns: ['ops'], allowed_actions: ['watch:read'] }] } });
    expect(put.statusCode).toBe(201);
    const t = await h.tokenFor('opsy', ['ops']);
    expect((await h.call({ method: 'GET', url: '/_signals/watch/ops/_search', headers: { authorization: bearer(t) } })).statusCode).toBe(200);
    expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: { authorization: bearer(t) } })).statusCode).toBe(403);
    const patch = await h.call({ method: 'PATCH', url: `${R}/ops`, headers: h.admin, payload: [{ op: 'add', path: '/tenant_permissions/0/tenant_patterns/-', value: '_main' }, { op: 'add', path: '/description', value: 'on call' }] });
    expect(patch.json()).toEqual({ status: 'OK', message: "'ops' updated." });
    expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: { authorization: bearer(t) } })).statusCode).toBe(200);
    const invalid = await h.call({ method: 'PATCH', url: `${R}/ops`, headers: h.admin, payload: [{ op: 'replace', path: '/cluster_permissions', value: 'all' }] });
    expect(invalid.statusCode).toBe(400);
    const unresolvable = await h.call({ method: 'PATCH', url: `${R}/ops`, headers: h.admin, payload: [{ op: 'remove', path: '/nope/deeper' }] });
    expect(unresolvable.statusCode).toBe(400);
    const proto = await h.call({ method: 'PATCH', url: `${R}/ops`, headers: h.admin, payload: [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }] });
    expect(proto.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(h.security.directory.role('ops')).toEqual({ cluster_permissions: [], index_permissions: [], tenant_permissions: [{ tenant_patterns: ['ops', '_main'], allowed_actions: ['watch:read'] }], description: 'on call' });
  });

  it('bulk PATCH creates, changes and removes several resources at once, or none when one is invalid', async () => {
    const ok = await h.call({
      method: 'PATCH',
      url: R,
      headers: h.admin,
      payload: [
        { op: 'add', path: '/dev', value: { tenant_permissions: [{ tenant_patterns: ['dev'], allowed_actions: ['watch:*'] }] } },
        { op: 'add', path: '/qa', value: { tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['read'] }] } },
        { op: 'remove', path: '/ops' },
      ],
    });
    expect(ok.json()).toEqual({ status: 'OK', message: 'Resource updated.' });
    expect(h.security.directory.role('ops')).toBeUndefined();
    expect(h.security.directory.role('dev')).toMatchObject({ tenant_permissions: [{ tenant_patterns: ['dev'] }] });
    const mixed = await h.call({
      method: 'PATCH',
      url: R,
      headers: h.admin,
      payload: [{ op: 'add', path: '/ok_role', value: { cluster_permissions: [] } }, { op: 'add', path: '/bad_role', value: { cluster_permissions: ['nope'] } }],
    });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().detail).toHaveProperty(['bad_role.cluster_permissions.0']);
    expect(h.security.directory.role('ok_role')).toBeUndefined();
    const users = await h.call({ method: 'PATCH', url: U, headers: h.admin, payload: [{ op: 'add', path: '/uhura', value: { password: 'hailing-freq', roles: ['qa'] } }, { op: 'add', path: '/root/description', value: 'break glass' }] });
    expect(users.statusCode).toBe(200);
    expect(h.security.users.get('uhura')).toMatchObject({ roles: ['qa'] });
    expect(h.security.users.get('root')).toMatchObject({ description: 'break glass', roles: ['admin'] });
    expect(users.body + h.logs.join('')).not.toContain('hailing-freq');
  });

  it('audit: records mutations with user, address, method, path, outcome, status; filters by user, time and size', async () => {
    const all = await h.call({ method: 'GET', url: '/_vigil/security/audit?size=1000', headers: h.admin });
    const hits = all.json().hits as Array<Record<string, unknown>>;
    expect(hits[0]).toEqual({ time: expect.any(String), user: 'root', address: '127.0.0.1', method: 'PATCH', path: U, outcome: 'SUCCESS', status: 200, count: 1, category: 'GRANTED_PRIVILEGES' });
    expect(hits.some((e) => e.method === 'PUT' && e.path === `${R}/admin` && e.outcome === 'BAD_REQUEST' && e.status === 403)).toBe(true);
    const byUser = await h.call({ method: 'GET', url: '/_vigil/security/audit?user=nobody', headers: h.admin });
    expect(byUser.json()).toEqual({ total: 0, hits: [] });
    const future = await h.call({ method: 'GET', url: `/_vigil/security/audit?from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`, headers: h.admin });
    expect(future.json().total).toBe(0);
    const sized = await h.call({ method: 'GET', url: '/_vigil/security/audit?size=2&to=9999999999999', headers: h.admin });
    expect(sized.json().hits).toHaveLength(2);
    expect((await h.call({ method: 'GET', url: '/_vigil/security/audit?from=yesterday', headers: h.admin })).statusCode).toBe(400);
    expect(all.body).not.toMatch(/enterprise-1701|hailing-freq|vulcan/);
  });
});
