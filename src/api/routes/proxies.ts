import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { VigilError } from '../../errors.ts';
import { assertProxyId } from '../../accounts/proxies.ts';
import { access, accountsOf, refuseIfUsed } from './stored-docs.ts';

type Params = { id: string };

/**
 * Signals' stored proxies (`/_signals/proxies`), admin only like accounts: `{name, uri}` in,
 * `{status, data}` out as Signals answers. A password in the URI is sealed and never returned: GET
 * shows the URI without it and `password` as its status.
 */
export function proxyRoutes(app: ApiContext): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    f.put<{ Params: Params }>('/_signals/proxies/:id', access('account:manage', 'Store a proxy (create or replace); a password in its URI is sealed, never returned', true), async (req) => {
      const { proxy } = await accountsOf(app).proxies.put(req.params.id, req.body);
      return { status: 200, data: proxy };
    });

    f.get<{ Params: Params }>('/_signals/proxies/:id', access('account:read', 'Read a stored proxy', true), async (req) => ({
      status: 200,
      data: await accountsOf(app).proxies.get(req.params.id),
    }));

    const list = async () => ({ status: 200, data: await accountsOf(app).proxies.list() });
    f.get('/_signals/proxies', access('account:read', 'List the stored proxies'), list);
    f.get('/_signals/proxies/', access('account:read', 'List the stored proxies'), list);

    f.delete<{ Params: Params }>('/_signals/proxies/:id', access('account:manage', 'Delete a stored proxy; refused (409 CONFLICT) while a watch uses it', true), async (req) => {
      const { id } = req.params;
      const proxies = accountsOf(app).proxies;
      assertProxyId(id);
      refuseIfUsed(app, 'proxy', id);
      const { deleted } = await proxies.delete(id);
      if (!deleted) throw new VigilError('NOT_FOUND', `proxy ${id} not found`);
      return { status: 200 };
    });
  };
}
