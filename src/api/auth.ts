import type { FastifyRequest } from 'fastify';
import type { Permission } from '../security/types.ts';

/**
 * Declared on every route: what it needs. `public` routes (health) need nothing; `authenticated` routes
 * (own account, own tokens) need a signed-in caller and no particular permission. A tenant-scoped
 * permission is checked in the tenant named by the path parameter `tenantParam`, or, for a resource
 * whose path does not name its tenant (a delivery), in the tenant `tenantOf` finds once the caller is
 * authenticated (it may throw NOT_FOUND: only a signed-in caller learns that).
 */
export type RouteAccess =
  | { public: true }
  | { authenticated: true }
  | { permission: Permission; tenantParam?: string; tenantOf?: (req: FastifyRequest) => string | Promise<string> };
