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
  /** Whether the principal may do `permission` (in `tenant`, for tenant-scoped permissions) with this method and route. */
  authorize(p: Principal, permission: Permission, ctx: { tenant?: string | undefined; method: string; route: string }): boolean;
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

/** Declared on every route: what it needs. `public` routes (health) need nothing. */
export type RouteAccess = { public: true } | { permission: Permission; tenantParam?: string };
