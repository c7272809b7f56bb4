import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { storedDocRoutes } from './stored-docs.ts';

/**
 * Signals' stored proxies (`/_signals/proxies`), admin only like accounts: `{name, uri}` in,
 * `{status, data}` out as Signals answers. A password in the URI is sealed and never returned: GET
 * shows the URI without it and `password` as its status.
 */
export function proxyRoutes(app: ApiContext): (f: FastifyInstance) => Promise<void> {
  return storedDocRoutes(app, {
    kind: 'proxy',
    path: 'proxies',
    registry: (accounts) => accounts.proxies,
    summaries: {
      put: 'Store a proxy (create or replace); a password in its URI is sealed, never returned',
      get: 'Read a stored proxy',
      list: 'List the stored proxies',
      delete: 'Delete a stored proxy; refused (409 CONFLICT) while a watch uses it',
    },
  });
}
