/**
 * The permission catalogue and action groups.
 *
 * Three kinds of permission, as in OpenSearch Security and Signals: cluster permissions (accounts and
 * security, granted in `cluster_permissions`), tenant permissions (watches, granted per tenant in
 * `tenant_permissions`) and index actions (what a watch may do on an index, in `index_permissions`).
 * An action group is a named bundle of permissions and other groups; a group used in one section grants
 * only what applies there (so `read` means watch reads in `tenant_permissions` and searches in
 * `index_permissions`). Patterns use `*`, and `*` alone grants everything a section can grant.
 */
import { PERMISSIONS } from './types.ts';
import type { ActionGroupRecord } from '../state/security-types.ts';
import { wildcardMatch } from './patterns.ts';

export type Scope = 'cluster' | 'tenant' | 'index';

export const CLUSTER_PERMISSIONS: readonly string[] = PERMISSIONS.filter((p) => !p.startsWith('watch:'));
export const TENANT_PERMISSIONS: readonly string[] = PERMISSIONS.filter((p) => p.startsWith('watch:'));
/** The index actions Vigil performs: a search (search checks) and writing a document (the index action). */
export const INDEX_ACTIONS: readonly string[] = ['indices:data/read/search', 'indices:data/write/index'];

const BY_SCOPE: Record<Scope, readonly string[]> = { cluster: CLUSTER_PERMISSIONS, tenant: TENANT_PERMISSIONS, index: INDEX_ACTIONS };
const ALL = [...CLUSTER_PERMISSIONS, ...TENANT_PERMISSIONS, ...INDEX_ACTIONS];

const group = (allowed_actions: string[], description: string, type?: ActionGroupRecord['type']): ActionGroupRecord =>
  Object.freeze({ allowed_actions, description, reserved: true, ...(type ? { type } : {}) });

/** Built-in action groups: reserved, always present (the `VIGIL_*` ones mirror Signals' `SGS_SIGNALS_*`). */
export const BUILTIN_ACTION_GROUPS: Readonly<Record<string, ActionGroupRecord>> = Object.freeze({
  VIGIL_ALL: group(['*'], 'Every permission'),
  VIGIL_WATCH_MANAGE: group(['watch:manage', 'watch:read', 'watch:execute', 'watch:ack', 'watch:activate'], 'Create, change, delete, read, execute, activate and acknowledge watches', 'tenant'),
  VIGIL_WATCH_READ: group(['watch:read'], 'Read watches, their state and search them', 'tenant'),
  VIGIL_WATCH_EXECUTE: group(['watch:execute'], 'Execute watches through the API', 'tenant'),
  VIGIL_WATCH_ACTIVATE: group(['watch:activate'], 'Activate and deactivate watches', 'tenant'),
  VIGIL_WATCH_ACKNOWLEDGE: group(['watch:ack'], 'Acknowledge and un-acknowledge watches and actions', 'tenant'),
  VIGIL_ACCOUNT_MANAGE: group(['account:manage', 'account:read'], 'Create, change, delete, read and test accounts', 'cluster'),
  VIGIL_ACCOUNT_READ: group(['account:read'], 'Read and search accounts (never their secrets)', 'cluster'),
  VIGIL_SECURITY_MANAGE: group(['security:manage'], 'Manage users, roles, mappings, action groups, tenants and the security configuration', 'cluster'),
  read: group(['watch:read', 'indices:data/read/search'], 'Read: watches in tenant_permissions, searches in index_permissions'),
  write: group(['VIGIL_WATCH_MANAGE', 'indices:data/write/index'], 'Write: every watch operation in tenant_permissions, writing documents in index_permissions'),
  search: group(['indices:data/read/search'], 'Search an index', 'index'),
  index: group(['indices:data/write/index'], 'Write documents to an index', 'index'),
  crud: group(['read', 'write'], 'read and write'),
});

/** Action groups by name: the built-in ones and the configured ones. */
export type GroupLookup = (name: string) => ActionGroupRecord | undefined;

/** Whether the permission pattern `pattern` grants `permission`. */
export function grants(pattern: string, permission: string): boolean {
  return wildcardMatch(pattern, permission);
}

/**
 * The permission patterns that `actions` stand for, action groups expanded (recursively, each group
 * once: a cycle cannot loop). Unknown names stay as they are (they grant only what they match).
 */
export function expandActions(actions: readonly string[], groups: GroupLookup): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [...actions];
  while (stack.length) {
    const a = stack.pop()!;
    const g = groups(a);
    if (g) {
      if (seen.has(a)) continue;
      seen.add(a);
      stack.push(...g.allowed_actions);
    } else out.add(a);
  }
  return [...out];
}

/** Whether a permission pattern grants anything of `scope` (or, without one, anything at all). */
export function patternApplies(pattern: string, scope?: Scope): boolean {
  return (scope ? BY_SCOPE[scope] : ALL).some((p) => grants(pattern, p));
}

/**
 * Why `action` cannot be used in a section of `scope`, or null when it can: it must be a permission
 * pattern or an action group that grants something there.
 */
export function actionProblem(action: string, scope: Scope, groups: GroupLookup): string | null {
  const expanded = expandActions([action], groups);
  if (expanded.some((p) => patternApplies(p, scope))) return null;
  if (groups(action)) return `action group '${action}' grants nothing in ${scope === 'tenant' ? 'tenant_permissions' : `${scope}_permissions`}`;
  if (scope === 'cluster' && patternApplies(action, 'tenant')) return 'watch permissions are granted per tenant: use tenant_permissions';
  if (scope === 'tenant' && patternApplies(action, 'cluster')) return 'account and security permissions are not per tenant: use cluster_permissions';
  const known = BY_SCOPE[scope].join(', ');
  return `unknown permission or action group (here: ${known}, an action group, or a pattern such as ${scope === 'index' ? 'indices:data/read/*' : scope === 'tenant' ? 'watch:*' : 'account:*'})`;
}

/**
 * Problems of an action group's own list: each entry is a permission pattern or another group, and
 * following the groups never comes back to `name`.
 */
export function groupProblems(name: string, actions: readonly string[], groups: GroupLookup): Array<{ index: number; error: string }> {
  const out: Array<{ index: number; error: string }> = [];
  actions.forEach((a, index) => {
    if (!groups(a) && !patternApplies(a)) out.push({ index, error: 'unknown permission or action group' });
  });
  // A cycle: `name` reachable from its own members.
  const seen = new Set<string>();
  const stack = [...actions];
  while (stack.length) {
    const a = stack.pop()!;
    if (a === name) {
      out.push({ index: -1, error: `action group '${name}' includes itself (directly or through other groups)` });
      break;
    }
    const g = groups(a);
    if (g && !seen.has(a)) {
      seen.add(a);
      stack.push(...g.allowed_actions);
    }
  }
  return out;
}
