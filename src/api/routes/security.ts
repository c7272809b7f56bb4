import type { FastifyInstance } from 'fastify';
import type { Security } from '../../security/service.ts';
import { ownAccountRoutes } from './security-account.ts';
import { configRoutes } from './security-config.ts';
import { resourceRoutes } from './security-resources.ts';

/**
 * The security API, shaped like the OpenSearch Security REST API under `/_plugins/_security/api/…`
 * (Vigil's earlier `/_vigil/security/…` paths stay as aliases): internal users, roles, role mappings,
 * action groups and tenants; the caller's account and API tokens; the authentication and audit
 * configuration and the audit log; the credential cache, the API certificate and the health check.
 */
export function securityRoutes(s: Security): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    await resourceRoutes(s)(f);
    await ownAccountRoutes(s)(f);
    await configRoutes(s)(f);
  };
}
