import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { VigilError } from '../../errors.ts';
import { assertTruststoreId } from '../../accounts/truststores.ts';
import { access, accountsOf, refuseIfUsed } from './stored-docs.ts';

type Params = { id: string };

/**
 * Signals' stored trust stores (`/_signals/truststores`), admin only like accounts: `{name, pem}` in,
 * `{status, data}` out as Signals answers, with each certificate's subject, issuer, validity and
 * serial number. A PEM that is not certificates (garbage, a private key) is refused at PUT.
 */
export function truststoreRoutes(app: ApiContext): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    f.put<{ Params: Params }>('/_signals/truststores/:id', access('account:manage', 'Store a trust store (create or replace); its PEM must hold only certificates', true), async (req) => {
      const { truststore } = await accountsOf(app).truststores.put(req.params.id, req.body);
      return { status: 200, data: truststore };
    });

    f.get<{ Params: Params }>('/_signals/truststores/:id', access('account:read', 'Read a stored trust store', true), async (req) => ({
      status: 200,
      data: await accountsOf(app).truststores.get(req.params.id),
    }));

    const list = async () => ({ status: 200, data: await accountsOf(app).truststores.list() });
    f.get('/_signals/truststores', access('account:read', 'List the stored trust stores'), list);
    f.get('/_signals/truststores/', access('account:read', 'List the stored trust stores'), list);

    f.delete<{ Params: Params }>('/_signals/truststores/:id', access('account:manage', 'Delete a stored trust store; refused (409 CONFLICT) while a watch uses it', true), async (req) => {
      const { id } = req.params;
      const truststores = accountsOf(app).truststores;
      assertTruststoreId(id);
      refuseIfUsed(app, 'truststore', id);
      const { deleted } = await truststores.delete(id);
      if (!deleted) throw new VigilError('NOT_FOUND', `trust store ${id} not found`);
      return { status: 200 };
    });
  };
}
