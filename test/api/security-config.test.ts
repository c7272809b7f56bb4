/**
 * securityconfig (validation, parts that do not apply → 501, trust_proxy changed at run time), the
 * audit configuration (GET/PUT/PATCH, reads of security routes audited, bodies redacted), the
 * credential cache flush, the unauthenticated health check, and the endpoints answered 501.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { basic, bearer, startAdminHarness, type AdminHarness } from './harness.ts';

const API = '/_plugins/_security/api';
const PW = 'beam me up, scotty';

describe('security configuration endpoints', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness();
    await h.security.users.putUser('kirk', { password: PW, roles: ['viewer'] });
  });
  afterAll(() => h?.close());
  const call = (method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST', url: string, payload?: unknown, headers = h.admin) =>
    h.call({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('securityconfig: shows the default, refuses what does not apply (501, with the reason) and what is invalid (400, with the path)', async () => {
    const get = (await call('GET', `${API}/securityconfig`)).json();
    expect(get.config.dynamic.authc.basic_internal_auth_domain).toMatchObject({ http_enabled: true, http_authenticator: { type: 'basic' }, authentication_backend: { type: 'intern' } });
    const ldap = await call('PUT', `${API}/securityconfig/config`, { dynamic: { ...get.config.dynamic, authz: { ldap: {} } } });
    expect(ldap.statusCode).toBe(501);
    expect(ldap.json()).toMatchObject({ status: 'NOT_IMPLEMENTED', message: expect.stringMatching(/^config\.dynamic\.authz: Vigil has no LDAP/) });
    const transport = await call('PATCH', `${API}/securityconfig`, [{ op: 'add', path: '/config/dynamic/authc/basic_internal_auth_domain/transport_enabled', value: true }]);
    expect(transport.statusCode).toBe(501);
    expect(transport.json().message).toMatch(/transport layer/);
    const bad = await call('PATCH', `${API}/securityconfig`, [{ op: 'replace', path: '/config/dynamic/authc/basic_internal_auth_domain/authentication_backend/type', value: 'noop' }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toHaveProperty(['config.dynamic.authc.basic_internal_auth_domain.authentication_backend.type']);
    const unknown = await call('PATCH', `${API}/securityconfig`, [{ op: 'add', path: '/config/dynamic/shiny', value: 1 }]);
    expect(unknown.json().detail).toEqual({ 'config.dynamic.shiny': [{ error: 'unknown field' }] });
    expect((await call('GET', `${API}/securityconfig`)).json()).toEqual(get);
    for (const [m, url] of [['GET', `${API}/nodesdn`], ['PUT', `${API}/nodesdn/c1`], ['PUT', `${API}/ssl/transport/reloadcerts`], ['GET', `${API}/allowlist`], ['GET', `${API}/_upgrade_check`]] as const) {
      const res = await call(m, url, m === 'PUT' ? {} : undefined);
      expect(res.statusCode, url).toBe(501);
      expect(res.json().message.length).toBeGreaterThan(20);
    }
  });

  it('disabling the basic domain refuses passwords; tokens still work', async () => {
    const doc = (await call('GET', `${API}/securityconfig`)).json();
    expect((await call('GET', `${API}/account`, undefined, { authorization: basic('kirk', PW) })).statusCode).toBe(200);
    expect((await call('PATCH', `${API}/securityconfig`, [{ op: 'replace', path: '/config/dynamic/authc/basic_internal_auth_domain/http_enabled', value: false }])).statusCode).toBe(200);
    expect((await call('GET', `${API}/account`, undefined, { authorization: basic('kirk', PW) })).statusCode).toBe(401);
    expect((await call('GET', `${API}/account`)).statusCode).toBe(200);
    expect((await call('PUT', `${API}/securityconfig/config`, doc.config)).statusCode).toBe(200);
    expect((await call('GET', `${API}/account`, undefined, { authorization: basic('kirk', PW) })).statusCode).toBe(200);
  });

  it('trust_proxy set through securityconfig applies at once to the client address', async () => {
    await h.security.users.put({ name: 'proxied', hash: '', roles: [], backendRoles: [], attributes: {}, reserved: false, hidden: false, updatedAt: 0 });
    const t = { authorization: bearer((await h.security.tokens.create('proxied', 0)).token), 'x-forwarded-for': '203.0.113.5' };
    expect((await call('PUT', `${API}/rolesmapping/viewer`, { hosts: ['203.0.113.0/24'] })).statusCode).toBe(201);
    const search = () => h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: t });
    expect((await search()).statusCode).toBe(403);
    expect((await call('PATCH', `${API}/securityconfig`, [{ op: 'add', path: '/config/dynamic/http/trust_proxy', value: ['127.0.0.1'] }])).statusCode).toBe(200);
    expect((await search()).statusCode).toBe(200);
    expect((await call('PATCH', `${API}/securityconfig`, [{ op: 'remove', path: '/config/dynamic/http/trust_proxy' }])).statusCode).toBe(200);
    expect((await search()).statusCode).toBe(403);
    expect((await call('PATCH', `${API}/securityconfig`, [{ op: 'add', path: '/config/dynamic/http/trust_proxy', value: ['not-an-address'] }])).json().detail).toHaveProperty(['config.dynamic.http.trust_proxy.0']);
    await call('DELETE', `${API}/rolesmapping/viewer`);
  });

  it('audit configuration: GET/PUT/PATCH; reads of security routes are audited when AUTHENTICATED is enabled; bodies redacted', async () => {
    const get = (await call('GET', `${API}/audit`)).json();
    expect(get).toEqual({ _readonly: ['/audit/exclude_sensitive_headers'], config: { enabled: true, audit: { enable_rest: true, disabled_rest_categories: ['AUTHENTICATED'], ignore_users: [], ignore_requests: [], log_request_body: false, exclude_sensitive_headers: true } } });
    expect((await call('PUT', `${API}/audit/config`, { enabled: true, audit: { disabled_rest_categories: ['NOPE'] } })).json().detail).toHaveProperty(['config.audit.disabled_rest_categories.0']);
    expect((await call('PATCH', `${API}/audit`, [{ op: 'replace', path: '/config/audit/exclude_sensitive_headers', value: false }])).statusCode).toBe(400);
    expect((await call('PATCH', `${API}/audit`, [{ op: 'replace', path: '/config/audit/disabled_rest_categories', value: [] }, { op: 'replace', path: '/config/audit/log_request_body', value: true }])).statusCode).toBe(200);
    await call('GET', `${API}/account`, undefined, { authorization: basic('kirk', PW) });
    await call('PUT', `${API}/internalusers/riker`, { password: 'number one, engage', backend_roles: ['first-officer'] });
    const hits = (await call('GET', '/_vigil/security/audit?size=10')).json().hits as Array<Record<string, unknown>>;
    expect(hits.find((e) => e.path === `${API}/account` && e.user === 'kirk')).toMatchObject({ method: 'GET', category: 'AUTHENTICATED', status: 200 });
    const put = hits.find((e) => e.path === `${API}/internalusers/riker`)!;
    expect(put).toMatchObject({ category: 'GRANTED_PRIVILEGES' });
    expect(JSON.parse(put.body as string)).toEqual({ password: '[redacted]', backend_roles: ['first-officer'] });
    expect(JSON.stringify(hits)).not.toContain('number one');
    await call('PUT', `${API}/audit/config`, {});
    expect((await call('GET', `${API}/audit`)).json().config.audit.disabled_rest_categories).toEqual(['AUTHENTICATED']);
  });

  it('DELETE cache makes the next Basic login check the password again; health needs no credentials', async () => {
    const verify = vi.spyOn(h.security.hasher, 'verify');
    const kirk = { authorization: basic('kirk', PW) };
    await call('GET', `${API}/account`, undefined, kirk);
    await call('GET', `${API}/account`, undefined, kirk);
    const cached = verify.mock.calls.length;
    expect((await call('DELETE', `${API}/cache`)).json()).toEqual({ status: 'OK', message: 'Cache flushed successfully.' });
    await call('GET', `${API}/account`, undefined, kirk);
    expect(verify.mock.calls.length).toBe(cached + 1);
    verify.mockRestore();
    const health = await h.call({ method: 'GET', url: '/_plugins/_security/health' });
    expect(health.json()).toEqual({ message: null, mode: 'strict', status: 'UP' });
    expect((await call('GET', `${API}/ssl/certs`)).json()).toEqual({ http_certificates_list: [], transport_certificates_list: [] });
    expect((await call('PUT', `${API}/ssl/http/reloadcerts`)).statusCode).toBe(400);
  });
});
