/**
 * The authorization rules, as pure functions of the configuration: which roles a caller has, whether a
 * role allows an API call, and whether roles allow an action on an index of a cluster.
 *
 * A caller may act when at least one of its roles grants the permission (in the tenant, for watch
 * permissions) and does not disable that endpoint and method.
 */
import type { RoleMappingRecord, RoleRecord } from '../state/security-types.ts';
import { CLUSTER_PERMISSIONS, expandActions, grants, type GroupLookup } from './permissions.ts';
import { anyMatch, hostMatches, wildcardCovers, wildcardMatch } from './patterns.ts';

/** A role with its action groups expanded: what the checks below read. */
export interface CompiledRole {
  name: string;
  cluster: string[];
  tenants: Array<{ patterns: string[]; actions: string[] }>;
  indices: Array<{ clusters: string[]; patterns: string[]; actions: string[] }>;
  endpointsDisabled: Record<string, string[]>;
}

export function compileRole(name: string, r: RoleRecord, groups: GroupLookup): CompiledRole {
  return {
    name,
    cluster: expandActions(r.cluster_permissions, groups),
    tenants: r.tenant_permissions.map((t) => ({ patterns: t.tenant_patterns, actions: expandActions(t.allowed_actions, groups) })),
    indices: r.index_permissions.map((i) => ({ clusters: i.clusters ?? ['*'], patterns: i.index_patterns, actions: expandActions(i.allowed_actions, groups) })),
    endpointsDisabled: r.endpoints_disabled ?? {},
  };
}

/** Who is asking, as the role mappings see them. */
export interface Subject {
  name: string;
  /** Roles given to the user directly. */
  roles: readonly string[];
  backendRoles: readonly string[];
}

/**
 * The caller's roles: its own roles and every role whose mapping names the user, one of its backend
 * roles (`backend_roles`), all of `and_backend_roles`, or the client address (`hosts`). Sorted.
 */
export function effectiveRoles(subject: Subject, ctx: { address: string }, mappings: Iterable<[string, RoleMappingRecord]>): string[] {
  const out = new Set(subject.roles);
  for (const [role, m] of mappings) {
    if (out.has(role)) continue;
    const byUser = anyMatch(m.users, subject.name);
    const byBackend = m.backend_roles.some((p) => subject.backendRoles.some((b) => wildcardMatch(p, b)));
    const byAll = m.and_backend_roles.length > 0 && m.and_backend_roles.every((p) => subject.backendRoles.some((b) => wildcardMatch(p, b)));
    const byHost = m.hosts.some((h) => hostMatches(h, ctx.address));
    if (byUser || byBackend || byAll || byHost) out.add(role);
  }
  return [...out].sort();
}

/** Whether `route` (a route pattern) is `endpoint` or lies under it, by whole path segments. */
function underEndpoint(route: string, endpoint: string): boolean {
  const e = endpoint.replace(/\/+$/, '');
  return route === e || route.startsWith(`${e}/`) || e === '';
}

export function disables(role: CompiledRole, method: string, route: string): boolean {
  for (const [endpoint, methods] of Object.entries(role.endpointsDisabled)) {
    if (underEndpoint(route, endpoint) && (methods.includes('*') || methods.includes(method))) return true;
  }
  return false;
}

const isClusterPermission = (p: string) => CLUSTER_PERMISSIONS.includes(p);

/**
 * Whether one role allows an API call. `permission` null: the route only needs a signed-in caller;
 * endpoint restrictions still apply. Watch permissions are looked up in the tenant (`ctx.tenant`), or
 * in any tenant when the route names none.
 */
export function roleAllows(role: CompiledRole, permission: string | null, ctx: { tenant?: string | undefined; method: string; route: string }): boolean {
  if (disables(role, ctx.method, ctx.route)) return false;
  if (permission === null) return true;
  if (isClusterPermission(permission)) return role.cluster.some((p) => grants(p, permission));
  return role.tenants.some((t) => (ctx.tenant === undefined || anyMatch(t.patterns, ctx.tenant)) && t.actions.some((p) => grants(p, permission)));
}

/**
 * Whether `roles` allow `action` (an index action such as `indices:data/read/search`) on `index` of
 * the cluster named `cluster`. `index` is an index or alias name, or a wildcard pattern (`logs-*`,
 * `*` for every index): a pattern is allowed only when one index permission's pattern covers it whole
 * (see `wildcardCovers`), so that no index it expands to on the cluster escapes the check.
 */
export function indexAllowed(roles: readonly CompiledRole[], cluster: string, index: string, action: string): boolean {
  return roles.some((r) =>
    r.indices.some((i) => anyMatch(i.clusters, cluster) && i.patterns.some((p) => wildcardCovers(p, index)) && i.actions.some((p) => grants(p, action))),
  );
}

/** The tenants a set of roles reaches, and whether with writes: `{tenant: true}` (read-write) or `false` (read-only). */
export function tenantAccess(roles: readonly CompiledRole[], tenants: readonly string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const t of tenants) {
    const granted = roles.flatMap((r) => r.tenants.filter((e) => anyMatch(e.patterns, t)).flatMap((e) => e.actions));
    if (!granted.some((p) => grants(p, 'watch:read') || p.startsWith('watch:'))) continue;
    out[t] = granted.some((p) => grants(p, 'watch:manage'));
  }
  return out;
}
