/**
 * Roles as documents (the OpenSearch Security `roles` shape), the built-in roles, and the names of
 * security resources.
 */
import type { RoleRecord } from '../state/security-types.ts';

const NAME_RE = /^[A-Za-z0-9_.@-]{1,128}$/;
/** Names that mean something to JavaScript objects; refused as resource names. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** `[A-Za-z0-9_.@-]{1,128}`, not `.`/`..`, not a reserved JavaScript name. */
export function isValidName(v: unknown): v is string {
  return typeof v === 'string' && NAME_RE.test(v) && v !== '.' && v !== '..' && !RESERVED_NAMES.has(v);
}

/** Tenant names are watch folder names. */
export const TENANT_NAME_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** The tenant of watches directly in the watches folder; always present. */
export const MAIN_TENANT = '_main';

const everyIndex = [{ index_patterns: ['*'], allowed_actions: ['*'] }];

/**
 * The role a watch runs as when nobody saved it through the API and its tenant names no `run_as_role`
 * (the built-in `_main` tenant included), unless `security.default_run_as_role` names another role or
 * none: every index of every cluster, as before tenants could be isolated.
 */
export const FILES_ROLE = 'vigil_files';

/** Built-in roles: reserved (read-only over REST), always present. */
export const BUILTIN_ROLES: Readonly<Record<string, RoleRecord>> = Object.freeze({
  admin: {
    cluster_permissions: ['*'],
    index_permissions: everyIndex,
    tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['*'] }],
    description: 'Everything, including accounts and security',
    reserved: true,
  },
  watch_manager: {
    cluster_permissions: [],
    index_permissions: everyIndex,
    tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['VIGIL_WATCH_MANAGE'] }],
    description: 'Every watch operation in every tenant; no accounts, no security',
    reserved: true,
  },
  [FILES_ROLE]: {
    cluster_permissions: [],
    index_permissions: [{ index_patterns: ['*'], allowed_actions: ['indices:data/read/search', 'indices:data/write/index'] }],
    tenant_permissions: [],
    description: 'What watches run as that nobody saved through the API, when their tenant names no run_as_role (security.default_run_as_role): search and write every index of every cluster',
    reserved: true,
  },
  viewer: {
    cluster_permissions: [],
    index_permissions: [{ index_patterns: ['*'], allowed_actions: ['read'] }],
    tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['VIGIL_WATCH_READ'] }],
    description: 'Read watches and their state',
    reserved: true,
  },
});
