/** The pure authorization rules: effective roles from mappings, API access per role, index access, action groups. */
import { describe, expect, it } from 'vitest';
import { compileRole, effectiveRoles, indexAllowed, roleAllows, tenantAccess } from '../../src/security/role-eval.ts';
import { actionProblem, BUILTIN_ACTION_GROUPS, groupProblems, type GroupLookup } from '../../src/security/permissions.ts';
import { wildcardCovers, wildcardMatch } from '../../src/security/patterns.ts';
import type { ActionGroupRecord, RoleMappingRecord, RoleRecord } from '../../src/state/security-types.ts';

const mapping = (m: Partial<RoleMappingRecord>): RoleMappingRecord => ({ users: [], backend_roles: [], and_backend_roles: [], hosts: [], ...m });
const custom: Record<string, ActionGroupRecord> = { ONCALL: { allowed_actions: ['VIGIL_WATCH_ACKNOWLEDGE', 'watch:read'] } };
const groups: GroupLookup = (n) => BUILTIN_ACTION_GROUPS[n] ?? custom[n];
const role = (r: Partial<RoleRecord>): RoleRecord => ({ cluster_permissions: [], index_permissions: [], tenant_permissions: [], ...r });

describe('effectiveRoles', () => {
  const mappings: Array<[string, RoleMappingRecord]> = [
    ['by_user', mapping({ users: ['kirk', 'sp*'] })],
    ['by_backend', mapping({ backend_roles: ['ops-*'] })],
    ['by_all', mapping({ and_backend_roles: ['ops-eu', 'oncall'] })],
    ['by_net', mapping({ hosts: ['10.1.0.0/16', '192.168.7.*', 'fd00::/8'] })],
    ['empty', mapping({})],
  ];
  const roles = (name: string, backendRoles: string[], address: string, own: string[] = []) => effectiveRoles({ name, roles: own, backendRoles }, { address }, mappings);

  it('is the own roles plus every role whose mapping names the user, a backend role, all of and_backend_roles, or the address', () => {
    expect(roles('kirk', [], '127.0.0.1', ['viewer'])).toEqual(['by_user', 'viewer']);
    expect(roles('spock', [], '127.0.0.1')).toEqual(['by_user']);
    expect(roles('bones', ['ops-eu'], '127.0.0.1')).toEqual(['by_backend']);
    expect(roles('bones', ['ops-eu', 'oncall'], '127.0.0.1')).toEqual(['by_all', 'by_backend']);
    expect(roles('bones', ['oncall'], '127.0.0.1')).toEqual([]);
    expect(roles('x', [], '10.1.200.3')).toEqual(['by_net']);
    expect(roles('x', [], '::ffff:10.1.0.9')).toEqual(['by_net']);
    expect(roles('x', [], '192.168.7.20')).toEqual(['by_net']);
    expect(roles('x', [], 'fd12::1')).toEqual(['by_net']);
    expect(roles('x', [], '10.2.0.1')).toEqual([]);
  });
});

describe('roleAllows', () => {
  const r = compileRole('r', role({
    cluster_permissions: ['VIGIL_ACCOUNT_READ'],
    tenant_permissions: [{ tenant_patterns: ['team_*'], allowed_actions: ['ONCALL'] }, { tenant_patterns: ['ops'], allowed_actions: ['write'] }],
    endpoints_disabled: { '/_signals/watch': ['DELETE'] },
  }), groups);
  const ctx = (tenant?: string, method = 'GET', route = '/_signals/watch/:tenant/:id') => ({ tenant, method, route });

  it('grants cluster permissions from cluster_permissions and watch permissions per tenant, groups expanded', () => {
    expect(roleAllows(r, 'account:read', ctx())).toBe(true);
    expect(roleAllows(r, 'account:manage', ctx())).toBe(false);
    expect(roleAllows(r, 'watch:ack', ctx('team_a'))).toBe(true);
    expect(roleAllows(r, 'watch:read', ctx('team_a'))).toBe(true);
    expect(roleAllows(r, 'watch:manage', ctx('team_a'))).toBe(false);
    expect(roleAllows(r, 'watch:manage', ctx('ops', 'PUT'))).toBe(true);
    expect(roleAllows(r, 'watch:read', ctx('_main'))).toBe(false);
    expect(roleAllows(r, 'watch:manage', ctx('ops', 'DELETE'))).toBe(false);
    expect(roleAllows(r, null, ctx(undefined, 'GET', '/_plugins/_security/api/account'))).toBe(true);
  });

  it('maps tenants to read-only or read-write access', () => {
    expect(tenantAccess([r], ['team_a', 'ops', '_main'])).toEqual({ team_a: false, ops: true });
  });
});

describe('indexAllowed', () => {
  const a = compileRole('a', role({ index_permissions: [{ index_patterns: ['logs-*'], allowed_actions: ['read'], clusters: ['prod'] }] }), groups);
  const b = compileRole('b', role({ index_permissions: [{ index_patterns: ['alerts', 'audit-?'], allowed_actions: ['indices:data/write/*'] }] }), groups);

  it('needs an entry matching the cluster, the index and the action', () => {
    expect(indexAllowed([a], 'prod', 'logs-2025', 'indices:data/read/search')).toBe(true);
    expect(indexAllowed([a], 'staging', 'logs-2025', 'indices:data/read/search')).toBe(false);
    expect(indexAllowed([a], 'prod', 'metrics', 'indices:data/read/search')).toBe(false);
    expect(indexAllowed([a], 'prod', 'logs-2025', 'indices:data/write/index')).toBe(false);
    expect(indexAllowed([a, b], 'any', 'alerts', 'indices:data/write/index')).toBe(true);
    expect(indexAllowed([a, b], 'any', 'audit-1', 'indices:data/write/index')).toBe(true);
    expect(indexAllowed([a, b], 'any', 'audit-12', 'indices:data/write/index')).toBe(false);
    expect(indexAllowed([], 'prod', 'logs-1', 'indices:data/read/search')).toBe(false);
  });

  it('allows a wildcard target only when one pattern covers all of it; `*` (every index) only to a `*` pattern', () => {
    const search = 'indices:data/read/search';
    expect(indexAllowed([a], 'prod', 'logs-*', search)).toBe(true);
    expect(indexAllowed([a], 'prod', 'logs-eu-*', search)).toBe(true);
    expect(indexAllowed([a], 'prod', 'log*', search)).toBe(false);
    expect(indexAllowed([a], 'prod', '*', search)).toBe(false);
    expect(indexAllowed([a], 'prod', 'logs-?', search)).toBe(true);
    // `audit-?` names one character: `audit-*` (any number of them) is more than it allows, though the
    // text `audit-*` is itself one of the names `audit-?` matches.
    expect(indexAllowed([b], 'any', 'audit-*', 'indices:data/write/index')).toBe(false);
    const all = compileRole('all', role({ index_permissions: [{ index_patterns: ['*'], allowed_actions: ['read'] }] }), groups);
    expect(indexAllowed([all], 'any', '*', search)).toBe(true);
    // A cross-cluster name is a name like any other: only a pattern that covers it allows it.
    expect(indexAllowed([a], 'prod', 'remote:logs-1', search)).toBe(false);
    expect(indexAllowed([all], 'prod', 'remote:logs-1', search)).toBe(true);
  });
});

describe('wildcardCovers', () => {
  it.each([
    ['logs-*', 'logs-*', true],
    ['logs-*', 'logs-eu-*', true],
    ['logs-*', 'logs-?', true],
    ['logs-*', 'logs-2025', true],
    ['*', '*', true],
    ['*', 'a*b?c', true],
    ['*-eu', '*-eu', true],
    ['a*b*c', 'a*x*b*y*c', true],
    ['a?c', 'a?c', true],
    ['log*', 'logs-*', true],
    ['logs-eu-*', 'logs-*', false],
    ['logs-*', 'log*', false],
    ['logs-*', '*', false],
    ['a?c', 'a*c', false],
    ['abc', 'a*', false],
    ['logs-*-eu', 'logs-*', false],
    ['', '*', false],
    ['logs-e*', 'logs-eu*', true],
    ['logs-eu*', 'logs-e?x*', false],
  ])('%s covers %s: %s', (pattern, target, expected) => expect(wildcardCovers(pattern, target)).toBe(expected));

  it('never says a pattern covers a target that has a value the pattern does not match (every pair over a small alphabet)', () => {
    const words = (alphabet: string[], max: number): string[] => {
      const out = [''];
      for (let n = 1, last = ['']; n <= max; n++) out.push(...(last = last.flatMap((w) => alphabet.map((c) => w + c))));
      return out;
    };
    const patterns = words(['a', 'b', '*', '?'], 3);
    const values = words(['a', 'b'], 5);
    const matches = new Map(patterns.map((p) => [p, new Set(values.filter((v) => wildcardMatch(p, v)))]));
    let covered = 0;
    for (const pattern of patterns) {
      for (const target of patterns) {
        if (!wildcardCovers(pattern, target)) continue;
        covered++;
        for (const v of matches.get(target)!) expect(matches.get(pattern)!.has(v), `${pattern} covers ${target} but not ${v}`).toBe(true);
      }
    }
    expect(covered).toBeGreaterThan(patterns.length);
  });
});

describe('permissions and action groups', () => {
  it('says why an action does not fit a section', () => {
    expect(actionProblem('watch:read', 'tenant', groups)).toBeNull();
    expect(actionProblem('read', 'index', groups)).toBeNull();
    expect(actionProblem('watch:read', 'cluster', groups)).toMatch(/per tenant/);
    expect(actionProblem('account:read', 'tenant', groups)).toMatch(/cluster_permissions/);
    expect(actionProblem('VIGIL_ACCOUNT_MANAGE', 'index', groups)).toMatch(/grants nothing in index_permissions/);
    expect(actionProblem('indices:data/read/get', 'index', groups)).toMatch(/unknown permission/);
    expect(actionProblem('*', 'cluster', groups)).toBeNull();
  });

  it('refuses unknown members and cycles, directly or through other groups', () => {
    const cyc: Record<string, ActionGroupRecord> = { A: { allowed_actions: ['B'] }, B: { allowed_actions: ['watch:read', 'A'] } };
    const look: GroupLookup = (n) => BUILTIN_ACTION_GROUPS[n] ?? cyc[n];
    expect(groupProblems('A', ['B'], look)).toEqual([{ index: -1, error: expect.stringMatching(/includes itself/) }]);
    expect(groupProblems('C', ['C'], (n) => (n === 'C' ? { allowed_actions: ['C'] } : undefined))).toHaveLength(1);
    expect(groupProblems('D', ['watch:read', 'nonsense', 'VIGIL_WATCH_READ'], look)).toEqual([{ index: 1, error: 'unknown permission or action group' }]);
  });
});
