import type { Permission } from '../security/types.ts';

/**
 * Declared on every route: what it needs. `public` routes (health) need nothing; `authenticated` routes
 * (own account, own tokens) need a signed-in caller and no particular permission.
 */
export type RouteAccess = { public: true } | { authenticated: true } | { permission: Permission; tenantParam?: string };
