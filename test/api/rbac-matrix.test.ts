/**
 * Walks the whole route table × principals and checks 401 / 403 / allowed against a model of the
 * roles written here independently of the authorization code. A route without `config.access` fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import type { RouteAccess } from '../../src/api/auth.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

type Who = 'anonymous' | 'viewer' | 'watch_manager' | 'admin' | 'team_a' | 'restricted';
const PARAMS: Record<string, string> = { id: 'w1', name: 'matrix_x', type: 'webhook', action: 'a1' };

const PLUGIN = '/_plugins/_security/api';
const crud = (base: string, kind: string): Record<string, string> =>
  Object.fromEntries(
    [['GET', ''], ['PATCH', ''], ['GET', '/:name'], ['PUT', '/:name'], ['DELETE', '/:name'], ['PATCH', '/:name']].map(([m, tail]) => [`${m} ${base}/${kind}${tail}`, 'security:manage']),
  );

/**
 * The declared permission of every security/account/stored proxy and trust store route, pinned: a change here is a security change,
 * and a security route missing here fails the test.
 */
const PINNED: Record<string, string> = {
  ...crud(PLUGIN, 'internalusers'),
  ...crud(PLUGIN, 'roles'),
  ...crud(PLUGIN, 'rolesmapping'),
  ...crud(PLUGIN, 'actiongroups'),
  ...crud(PLUGIN, 'tenants'),
  [`GET ${PLUGIN}/account`]: 'authenticated',
  [`PUT ${PLUGIN}/account`]: 'authenticated',
  [`GET ${PLUGIN}/securityconfig`]: 'security:manage',
  [`PUT ${PLUGIN}/securityconfig/config`]: 'security:manage',
  [`PATCH ${PLUGIN}/securityconfig`]: 'security:manage',
  [`GET ${PLUGIN}/audit`]: 'security:manage',
  [`PUT ${PLUGIN}/audit/config`]: 'security:manage',
  [`PATCH ${PLUGIN}/audit`]: 'security:manage',
  [`DELETE ${PLUGIN}/cache`]: 'security:manage',
  [`GET ${PLUGIN}/ssl/certs`]: 'security:manage',
  [`PUT ${PLUGIN}/ssl/http/reloadcerts`]: 'security:manage',
  [`PUT ${PLUGIN}/ssl/transport/reloadcerts`]: 'security:manage',
  ...Object.fromEntries(['GET', 'PUT', 'PATCH', 'DELETE'].flatMap((m) => [[`${m} ${PLUGIN}/nodesdn`, 'security:manage'], [`${m} ${PLUGIN}/nodesdn/:name`, 'security:manage']])),
  ...Object.fromEntries(['GET', 'PUT', 'PATCH'].map((m) => [`${m} ${PLUGIN}/allowlist`, 'security:manage'])),
  [`GET ${PLUGIN}/_upgrade_check`]: 'security:manage',
  [`POST ${PLUGIN}/_upgrade_perform`]: 'security:manage',
  'GET /_plugins/_security/health': 'public',
  'GET /_vigil/security/internalusers': 'security:manage',
  'PATCH /_vigil/security/internalusers': 'security:manage',
  'GET /_vigil/security/internalusers/:name': 'security:manage',
  'PUT /_vigil/security/internalusers/:name': 'security:manage',
  'DELETE /_vigil/security/internalusers/:name': 'security:manage',
  'PATCH /_vigil/security/internalusers/:name': 'security:manage',
  'GET /_vigil/security/roles': 'security:manage',
  'PATCH /_vigil/security/roles': 'security:manage',
  'GET /_vigil/security/roles/:name': 'security:manage',
  'PUT /_vigil/security/roles/:name': 'security:manage',
  'DELETE /_vigil/security/roles/:name': 'security:manage',
  'PATCH /_vigil/security/roles/:name': 'security:manage',
  'GET /_vigil/security/audit': 'security:manage',
  'GET /_vigil/security/account': 'authenticated',
  'PUT /_vigil/security/account': 'authenticated',
  'GET /_vigil/security/tokens': 'authenticated',
  'POST /_vigil/security/tokens': 'authenticated',
  'DELETE /_vigil/security/tokens/:id': 'authenticated',
  'PUT /_signals/account/:type/:id': 'account:manage',
  'GET /_signals/account/:type/:id': 'account:read',
  'DELETE /_signals/account/:type/:id': 'account:manage',
  'GET /_signals/account/_search': 'account:read',
  'POST /_signals/account/_search': 'account:read',
  'POST /_signals/account/:type/:id/_test': 'account:manage',
  ...Object.fromEntries(
    ['proxies', 'truststores'].flatMap((kind) => [
      [`PUT /_signals/${kind}/:id`, 'account:manage'],
      [`GET /_signals/${kind}/:id`, 'account:read'],
      [`DELETE /_signals/${kind}/:id`, 'account:manage'],
      [`GET /_signals/${kind}`, 'account:read'],
      [`GET /_signals/${kind}/`, 'account:read'],
    ]),
  ),
  // Notifications configs are accounts: the same permissions.
  'POST /_plugins/_notifications/configs': 'account:manage',
  'GET /_plugins/_notifications/configs': 'account:read',
  'DELETE /_plugins/_notifications/configs': 'account:manage',
  'GET /_plugins/_notifications/configs/:config_id': 'account:read',
  'PUT /_plugins/_notifications/configs/:config_id': 'account:manage',
  'DELETE /_plugins/_notifications/configs/:config_id': 'account:manage',
  'GET /_plugins/_notifications/features': 'account:read',
  'POST /_plugins/_notifications/feature/test/:config_id': 'account:manage',
  'GET /_vigil/health': 'public',
  'GET /_vigil/health/live': 'public',
  'GET /_vigil/health/ready': 'public',
  // The daemons sharing the cluster backend: any signed-in caller, never anonymous.
  'GET /_vigil/cluster': 'authenticated',
  'GET /_vigil/watch/:tenant/:id/_history': 'watch:read',
  'GET /_vigil/deliveries': 'watch:read',
  'POST /_vigil/deliveries/:id/_retry': 'watch:execute',
  'DELETE /_vigil/deliveries/:id': 'watch:manage',
};

const describeAccess = (a: RouteAccess) => ('public' in a ? 'public' : 'authenticated' in a ? 'authenticated' : a.permission);

/** The expected decision, from the role definitions used in this test. */
function allowed(who: Who, method: string, url: string, access: RouteAccess, tenant: string | undefined): boolean {
  if ('public' in access) return true;
  if (who === 'anonymous') return false;
  const perm = 'permission' in access ? access.permission : null;
  switch (who) {
    case 'admin':
      return true;
    case 'watch_manager':
      return perm === null || perm.startsWith('watch:');
    case 'viewer':
      return perm === null || perm === 'watch:read';
    case 'team_a':
      return perm === null || (perm.startsWith('watch:') && tenant === 'team_a');
    case 'restricted':
      // '*' everywhere, except DELETE under /_signals/watch and everything under internalusers.
      if (url.startsWith('/_vigil/security/internalusers') || url.startsWith(`${PLUGIN}/internalusers`)) return false;
      return !(method === 'DELETE' && url.startsWith('/_signals/watch/'));
  }
}

describe('RBAC: every route × every kind of caller', () => {
  let h: Harness;
  const tokens: Partial<Record<Who, string>> = {};

  beforeAll(async () => {
    // Hundreds of anonymous calls from one address: the login limits would answer them 429, not 401.
    h = await startHarness({ limiter: { addressRequests: { maxFailures: 100_000 } } });
    await h.security.directory.write([
      { kind: 'roles', name: 'team_a_manager', value: { cluster_permissions: [], index_permissions: [], tenant_permissions: [{ tenant_patterns: ['team_a'], allowed_actions: ['watch:*'] }] } },
      {
        kind: 'roles',
        name: 'restricted',
        value: {
          cluster_permissions: ['*'],
          index_permissions: [],
          tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['*'] }],
          endpoints_disabled: { '/_signals/watch': ['DELETE'], '/_vigil/security/internalusers': ['*'], [`${PLUGIN}/internalusers`]: ['*'] },
        },
      },
    ]);
    tokens.viewer = await h.tokenFor('v', ['viewer']);
    tokens.watch_manager = await h.tokenFor('wm', ['watch_manager']);
    tokens.admin = await h.tokenFor('adm', ['admin']);
    tokens.team_a = await h.tokenFor('ta', ['team_a_manager']);
    tokens.restricted = await h.tokenFor('rs', ['restricted']);
    // The delivery the /_vigil/deliveries/:id routes name: failed, in the default tenant (a route
    // without a tenant in its path is checked in the tenant of what it names, here `_main`).
    const now = h.app.clock.now();
    const notification = { kind: 'fire', request: { level: 'info', text: 'x' }, summary: 'x', destination: 'log' };
    await h.app.store.outbox.enqueue({ key: PARAMS.id!, tenant: '_main', watchId: 'w1', action: 'a1', actionType: 'log', accountId: null, episodeKey: 'e', notification, createdAt: now, deadline: now + 60_000, nextAttemptAt: now });
    await h.app.store.outbox.markFailed(PARAMS.id!, 'HTTP_4XX: 400', now, 1);
  });
  afterAll(() => h?.close());

  it('every registered route declares its access, and security/account routes declare the pinned permission', () => {
    expect(h.routes.length).toBeGreaterThan(30);
    const missing = h.routes.filter((r) => !r.config?.access).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    const seen = new Set<string>();
    for (const r of h.routes) {
      for (const m of [r.method].flat()) {
        const key = `${m} ${r.url}`;
        seen.add(key);
        if (PINNED[key]) expect(`${key} → ${describeAccess(r.config!.access!)}`).toBe(`${key} → ${PINNED[key]}`);
        // Reads of watches never need more than watch:read; nothing outside health/metrics is public.
        if (m === 'GET' && r.url.startsWith('/_signals/watch/')) expect(describeAccess(r.config!.access!)).toBe('watch:read');
        if ('public' in r.config!.access!) expect(['/_vigil/health', '/_vigil/health/live', '/_vigil/health/ready', '/metrics', '/_vigil/openapi.json', '/_plugins/_security/health']).toContain(r.url);
        if (m !== 'HEAD' && /^\/(_plugins\/_security|_plugins\/_notifications|_vigil\/security|_signals\/(account|proxies|truststores)|_vigil\/deliveries|_vigil\/watch|_vigil\/cluster)/.test(r.url)) expect(PINNED[key], `${key} is not pinned`).toBeDefined();
      }
    }
    for (const k of Object.keys(PINNED)) expect(seen.has(k), k).toBe(true);
  });

  it('answers 401 / 403 / allowed as the role model says, for every route and tenant', async () => {
    const who: Who[] = ['anonymous', 'viewer', 'watch_manager', 'admin', 'team_a', 'restricted'];
    const problems: string[] = [];
    let allowedCount = 0;
    let twoXx = 0;
    for (const r of h.routes as RouteOptions[]) {
      const access = r.config!.access!;
      const tenants = r.url.includes(':tenant') ? ['team_a', '_main'] : [undefined];
      for (const method of [r.method].flat()) {
        for (const tenant of tenants) {
          const url = r.url.replace(/:(\w+)/g, (_m, p: string) => (p === 'tenant' ? tenant! : PARAMS[p] ?? 'x'));
          for (const w of who) {
            const headers: Record<string, string> = w === 'anonymous' ? {} : { authorization: bearer(tokens[w]!) };
            const withBody = ['PUT', 'POST', 'PATCH'].includes(method);
            const res = await h.call({ method: method as 'GET', url, headers, ...(withBody ? { payload: {} } : {}) });
            const expectAllowed = allowed(w, method, r.url, access, tenant);
            const label = `${w} ${method} ${url} → ${res.statusCode}`;
            if (!expectAllowed) {
              const want = w === 'anonymous' ? 401 : 403;
              if (res.statusCode !== want) problems.push(`${label}, expected ${want}`);
            } else {
              allowedCount++;
              if (res.statusCode < 300) twoXx++;
              // 501: an OpenSearch endpoint with no meaning for Vigil, answered (to those allowed) with the reason.
              // 503 from readiness: this app is built, not started (no watches loaded, API not bound).
              const notReady = r.url === '/_vigil/health/ready' && res.statusCode === 503;
              if (res.statusCode === 401 || res.statusCode === 403 || (res.statusCode >= 500 && res.statusCode !== 501 && !notReady)) problems.push(`${label}, expected to be allowed`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(allowedCount).toBeGreaterThan(100);
    expect(twoXx).toBeGreaterThan(40);
  });

  it('audits the refusals: FAILED_LOGIN for anonymous, MISSING_PRIVILEGES with the user name', async () => {
    const { hits } = await h.security.auditLog.query({ size: 10_000 });
    expect(hits.some((e) => e.outcome === 'FAILED_LOGIN' && e.user === null && e.status === 401)).toBe(true);
    expect(hits.some((e) => e.outcome === 'MISSING_PRIVILEGES' && e.user === 'v' && e.status === 403)).toBe(true);
    expect(hits.some((e) => e.outcome === 'MISSING_PRIVILEGES' && e.user === 'ta' && e.path.startsWith('/_signals/watch/_main'))).toBe(true);
  });
});
