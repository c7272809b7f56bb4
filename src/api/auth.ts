import type { FastifyRequest } from 'fastify';

/** Permissions of SPEC §4; granted per tenant by roles. */
export const PERMISSIONS = [
  'account:manage',
  'account:read',
  'watch:manage',
  'watch:read',
  'watch:execute',
  'watch:ack',
  'watch:activate',
  'security:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Principal {
  name: string;
  roles: string[];
}

/**
 * The security seam of the API. Every route declares the permission it needs; the provider says who is
 * calling and whether they hold it. Routes never look at credentials themselves.
 */
export interface AuthProvider {
  /** Returns the caller, or throws VigilError UNAUTHORIZED / TOO_MANY_REQUESTS. */
  authenticate(req: FastifyRequest): Promise<Principal>;
  /**
   * Whether the principal may do `permission` (in `tenant`, for tenant-scoped permissions) with this method
   * and route. `permission` null: the route only needs a signed-in caller (own account, own tokens).
   */
  authorize(p: Principal, permission: Permission | null, ctx: { tenant?: string | undefined; method: string; route: string }): boolean;
  /** Records an audit event (mutations, authentication and authorization failures). */
  audit?(event: AuditEvent): void;
}

export interface AuditEvent {
  user: string | null;
  address: string;
  method: string;
  path: string;
  outcome: 'SUCCESS' | 'FAILED_LOGIN' | 'MISSING_PRIVILEGES' | 'BAD_REQUEST' | 'ERROR';
  status: number;
}

/**
 * Declared on every route: what it needs. `public` routes (health) need nothing; `authenticated` routes
 * (own account, own tokens) need a signed-in caller and no particular permission.
 */
export type RouteAccess = { public: true } | { authenticated: true } | { permission: Permission; tenantParam?: string };
