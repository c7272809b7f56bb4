import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { storedDocRoutes } from './stored-docs.ts';

/**
 * Signals' stored trust stores (`/_signals/truststores`), admin only like accounts: `{name, pem}` in,
 * `{status, data}` out as Signals answers, with each certificate's subject, issuer, validity and
 * serial number. A PEM that is not certificates (garbage, a private key) is refused at PUT.
 */
export function truststoreRoutes(app: ApiContext): (f: FastifyInstance) => Promise<void> {
  return storedDocRoutes(app, {
    kind: 'truststore',
    path: 'truststores',
    registry: (accounts) => accounts.truststores,
    summaries: {
      put: 'Store a trust store (create or replace); its PEM must hold only certificates',
      get: 'Read a stored trust store',
      list: 'List the stored trust stores',
      delete: 'Delete a stored trust store; refused (409 CONFLICT) while a watch uses it',
    },
  });
}
