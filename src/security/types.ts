/**
 * The contract between the REST API and whoever authenticates its callers: the permissions routes
 * declare, the caller a provider recognises, and the audit events it is told about. The security module
 * implements it and the API consumes it, so it sits with the lower of the two.
 */
import type { FastifyRequest } from 'fastify';

/** What a route may need; roles grant them per tenant. */
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
  /** The caller's effective roles. */
  roles: string[];
  /** The caller's backend roles (groups), when the provider knows them: recorded with the watches they save. */
  backendRoles?: string[];
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
  /** Records an audit event (every authenticated request and every refusal; the provider decides what to keep). */
  audit?(event: AuditEvent): void;
  /**
   * Whether the proxy at `address` (`hop` hops from the server) is trusted to report the client address
   * in `X-Forwarded-For`. When absent the server's configured list applies.
   */
  trustProxy?(address: string, hop: number): boolean;
}

export interface AuditEvent {
  user: string | null;
  address: string;
  method: string;
  path: string;
  outcome: 'SUCCESS' | 'FAILED_LOGIN' | 'MISSING_PRIVILEGES' | 'BAD_REQUEST' | 'ERROR';
  status: number;
  /** The route pattern (`/_signals/account/:type/:id`), when a route matched. */
  route?: string;
  /** The parsed request body; the provider keeps it only redacted, and only when configured to. */
  body?: unknown;
}
