/**
 * What the stored proxy and trust store routes share: the registry they live in (the accounts store,
 * so they need the master key as accounts do), their four routes in Signals' shapes, and the refusal
 * to delete one a watch still uses.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountRegistry } from '../../accounts/registry.ts';
import type { StoredKindRegistry } from '../../accounts/stored-kind.ts';
import { VigilError } from '../../errors.ts';
import type { Permission } from '../../security/types.ts';
import type { ApiContext } from '../context.ts';

const idParams = z.object({ id: z.string() });

/** A route's permission and its declaration for the OpenAPI document (the id parameter where the path has one). */
export const access = (permission: Permission, summary: string, withId = false) => ({
  config: { access: { permission } },
  schema: withId ? { summary, params: idParams } : { summary },
});

export function accountsOf(app: ApiContext): AccountRegistry {
  if (app.accounts) return app.accounts;
  throw new VigilError('ACCOUNTS_UNAVAILABLE', 'stored proxies and trust stores are unavailable: no master key is configured (set VIGIL_MASTER_KEY or --key-file; create one with `vigil keygen`)');
}

/** Throws CONFLICT naming the watches (`tenant/id`) whose loaded definition names this proxy or trust store. */
export function refuseIfUsed(app: ApiContext, kind: 'proxy' | 'truststore', id: string): void {
  const users = app.watches
    .list()
    .filter((lw) => lw.watch?.storedRefs.some((r) => r.kind === kind && r.id === id))
    .map((lw) => `${lw.ref.tenant}/${lw.ref.id}`)
    .sort();
  if (users.length === 0) return;
  const what = kind === 'proxy' ? 'proxy' : 'trust store';
  throw new VigilError('CONFLICT', `${what} ${id} is used by ${users.length} watch(es): ${users.join(', ')}`, {
    watches: users.map((w) => ({ error: `uses this ${what}`, value: w })),
  });
}

/** What sets one kind of stored document's routes apart. */
export interface StoredDocRoutes<Public> {
  kind: 'proxy' | 'truststore';
  /** The path under `/_signals/`: `proxies`, `truststores`. */
  path: string;
  registry: (accounts: AccountRegistry) => StoredKindRegistry<Public, unknown>;
  /** The OpenAPI summaries of PUT, GET, the list and DELETE. */
  summaries: { put: string; get: string; list: string; delete: string };
}

/**
 * PUT, GET, list and DELETE of one kind of stored document, admin only like accounts, answering
 * `{status, data}` as Signals does. DELETE is refused (409 CONFLICT) while a watch uses the document.
 */
export function storedDocRoutes<Public>(app: ApiContext, o: StoredDocRoutes<Public>): (f: FastifyInstance) => Promise<void> {
  type Params = { id: string };
  const base = `/_signals/${o.path}`;
  const what = o.kind === 'proxy' ? 'proxy' : 'trust store';
  const registry = () => o.registry(accountsOf(app));
  return async (f) => {
    f.put<{ Params: Params }>(`${base}/:id`, access('account:manage', o.summaries.put, true), async (req) => ({
      status: 200,
      data: (await registry().put(req.params.id, req.body)).doc,
    }));

    f.get<{ Params: Params }>(`${base}/:id`, access('account:read', o.summaries.get, true), async (req) => ({
      status: 200,
      data: await registry().get(req.params.id),
    }));

    const list = async () => ({ status: 200, data: await registry().list() });
    f.get(base, access('account:read', o.summaries.list), list);
    f.get(`${base}/`, access('account:read', o.summaries.list), list);

    f.delete<{ Params: Params }>(`${base}/:id`, access('account:manage', o.summaries.delete, true), async (req) => {
      const { id } = req.params;
      const docs = registry();
      docs.assertId(id);
      refuseIfUsed(app, o.kind, id);
      const { deleted } = await docs.delete(id);
      if (!deleted) throw new VigilError('NOT_FOUND', `${what} ${id} not found`);
      return { status: 200 };
    });
  };
}
