/**
 * Roles and users as documents (SPEC §4, shaped like OpenSearch Security's `roles` and
 * `internalusers`), the built-in roles, and the authorization rule.
 *
 * A role grants permissions (exact names of SPEC §4, `prefix:*`, or `*`) in tenants (`*` or names) and
 * may disable methods on endpoints. A principal may act when at least one of its roles grants the
 * permission in the tenant and does not disable that endpoint and method.
 */
import { z } from 'zod';
import { PERMISSIONS, type Permission } from '../api/auth.ts';

const NAME_RE = /^[A-Za-z0-9_.@-]{1,128}$/;
/** Names that mean something to JavaScript objects; refused as user or role names. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** `[A-Za-z0-9_.@-]{1,128}`, not `.`/`..`, not a reserved JavaScript name. */
export function isValidName(v: unknown): v is string {
  return typeof v === 'string' && NAME_RE.test(v) && v !== '.' && v !== '..' && !RESERVED_NAMES.has(v);
}

const permissionPattern = z.string().refine(
  (p) => p === '*' || (PERMISSIONS as readonly string[]).includes(p) || (p.endsWith(':*') && PERMISSIONS.some((q) => q.startsWith(p.slice(0, -1)))),
  { message: `unknown permission (use one of ${PERMISSIONS.join(', ')}, a prefix such as watch:*, or *)` },
);
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', '*'] as const;

export const roleSchema = z
  .object({
    permissions: z.array(permissionPattern).max(64).default([]),
    tenants: z.array(z.string().regex(/^(\*|[A-Za-z0-9_-]{1,128})$/, 'a tenant name or *')).max(256).default(['*']),
    /** Endpoint (a route path or a prefix of one, e.g. `/_signals/watch`) → methods denied to this role. */
    endpoints_disabled: z.record(z.string().regex(/^\/[A-Za-z0-9_/:.-]{0,256}$/, 'an endpoint path starting with /'), z.array(z.enum(METHODS)).max(8)).optional(),
    description: z.string().max(1024).optional(),
    reserved: z.boolean().optional(),
    hidden: z.boolean().optional(),
  })
  .strict();
export type RoleDoc = z.output<typeof roleSchema>;

/** A user as PUT takes it: `password` is write-only and never stored as such. */
export const userInputSchema = z
  .object({
    password: z.string().min(8, 'at least 8 characters').max(1024).optional(),
    roles: z.array(z.string().refine(isValidName, 'invalid role name')).max(64).default([]),
    attributes: z.record(z.string().max(128), z.string().max(1024)).optional(),
    description: z.string().max(1024).optional(),
    reserved: z.boolean().optional(),
    hidden: z.boolean().optional(),
  })
  .strict();
export type UserInput = z.output<typeof userInputSchema>;

/** What GET shows of a user (never the hash). */
export interface UserView {
  roles: string[];
  attributes: Record<string, string>;
  description?: string;
  reserved: boolean;
  hidden: boolean;
}

/** Built-in roles: reserved (read-only over REST), always present. */
export const BUILTIN_ROLES: Readonly<Record<string, RoleDoc>> = Object.freeze({
  admin: { permissions: ['*'], tenants: ['*'], description: 'Everything, including accounts and security', reserved: true },
  watch_manager: { permissions: ['watch:*'], tenants: ['*'], description: 'Every watch operation in every tenant; no accounts, no security', reserved: true },
  viewer: { permissions: ['watch:read'], tenants: ['*'], description: 'Read watches and their state', reserved: true },
});

export function grants(pattern: string, permission: Permission): boolean {
  return pattern === '*' || pattern === permission || (pattern.endsWith(':*') && permission.startsWith(pattern.slice(0, -1)));
}

/** Whether `route` (a fastify route pattern) is `endpoint` or lies under it, by whole path segments. */
function underEndpoint(route: string, endpoint: string): boolean {
  const e = endpoint.replace(/\/+$/, '');
  return route === e || route.startsWith(`${e}/`) || e === '';
}

export function disables(role: RoleDoc, method: string, route: string): boolean {
  for (const [endpoint, methods] of Object.entries(role.endpoints_disabled ?? {})) {
    if (underEndpoint(route, endpoint) && (methods.includes('*') || methods.includes(method as (typeof METHODS)[number]))) return true;
  }
  return false;
}

/**
 * The authorization rule. `permission` null: the route only needs an authenticated caller (own account,
 * own tokens); endpoint restrictions still apply. `tenant` undefined: the permission is not tenant-scoped.
 */
export function roleAllows(role: RoleDoc, permission: Permission | null, ctx: { tenant?: string | undefined; method: string; route: string }): boolean {
  if (disables(role, ctx.method, ctx.route)) return false;
  if (permission === null) return true;
  if (!role.permissions.some((p) => grants(p, permission))) return false;
  return ctx.tenant === undefined || role.tenants.includes('*') || role.tenants.includes(ctx.tenant);
}
