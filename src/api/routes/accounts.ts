import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { VigilError } from '../../errors.ts';
import { assertValidId } from '../../accounts/store.ts';
import type { AccountRegistry } from '../../accounts/registry.ts';
import type { TestAccountResult } from '../../actions/types.ts';
import { accountHttp } from '../../actions/shared/account-destination.ts';
import { zodDetail } from '../../error-detail.ts';
import { usesAccount } from '../../watches/compile.ts';
import { createChannelAccounts } from '../../delivery/channel-accounts.ts';
import type { Permission } from '../../security/types.ts';

type Params = { type: string; id: string };

const searchQuery = z
  .object({
    type: z.string().optional(),
    id: z.string().optional(),
    id_prefix: z.string().optional(),
    from: z.coerce.number().int().min(0).optional(),
    size: z.coerce.number().int().min(0).max(1000).optional(),
  })
  .strict();

const access = (permission: Permission) => ({ config: { access: { permission } } });

/** The accounts registry, or ACCOUNTS_UNAVAILABLE (503) when no master key is configured. */
export function accountRegistry(app: ApiContext): AccountRegistry {
  if (app.accounts) return app.accounts;
  throw new VigilError('ACCOUNTS_UNAVAILABLE', 'accounts are unavailable: no master key is configured (set VIGIL_MASTER_KEY or --key-file; create one with `vigil keygen`)');
}

/** Watches (`tenant/id`) that use the account, by name or as the channel of a `notification` action. */
export function watchesUsing(app: ApiContext, type: string, id: string): string[] {
  const channelTypes = new Set(app.registry.channelTypes);
  return app.watches
    .list()
    .filter((lw) => lw.watch && usesAccount(lw.watch, type, id, channelTypes))
    .map((lw) => `${lw.ref.tenant}/${lw.ref.id}`)
    .sort();
}

/** CONFLICT (409) naming the watches, while any uses the account: deleting it would break them. */
export function refuseIfUsed(app: ApiContext, type: string, id: string): void {
  const users = watchesUsing(app, type, id);
  if (users.length) {
    throw new VigilError('CONFLICT', `account ${type}/${id} is used by ${users.length} watch(es): ${users.join(', ')}`, {
      watches: users.map((w) => ({ error: 'uses this account', value: w })),
    });
  }
}

/** Ids and types are checked before anything else, so a hostile id never reaches the file store. */
function checkParams(p: Params): void {
  assertValidId('type', p.type);
  assertValidId('id', p.id);
}

/**
 * Account endpoints: admin only. GET shows non-secret fields and, per secret, only
 * whether it is set; nothing here ever returns a secret or its ciphertext.
 */
export function accountRoutes(app: ApiContext): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    f.put<{ Params: Params }>('/_signals/account/:type/:id', access('account:manage'), async (req, reply) => {
      checkParams(req.params);
      const { created } = await accountRegistry(app).put(req.params.type, req.params.id, req.body);
      return reply.status(created ? 201 : 200).send({ _id: req.params.id, _type: req.params.type, result: created ? 'created' : 'updated' });
    });

    f.get<{ Params: Params }>('/_signals/account/:type/:id', access('account:read'), async (req) => {
      checkParams(req.params);
      const a = await accountRegistry(app).getPublic(req.params.type, req.params.id);
      return { _id: a.id, _type: a.type, found: true, created_at: a.created_at, updated_at: a.updated_at, _source: a.account };
    });

    f.delete<{ Params: Params }>('/_signals/account/:type/:id', access('account:manage'), async (req) => {
      checkParams(req.params);
      const { type, id } = req.params;
      refuseIfUsed(app, type, id);
      const { deleted } = await accountRegistry(app).delete(type, id);
      if (!deleted) throw new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
      return { _id: id, _type: type, result: 'deleted' };
    });

    const search = async (q: unknown) => {
      const parsed = searchQuery.safeParse(q ?? {});
      if (!parsed.success) throw new VigilError('INVALID_REQUEST', 'invalid account search', zodDetail(parsed.error.issues, { style: 'dotted' }));
      const { type, id_prefix, id, from, size } = parsed.data;
      const res = await accountRegistry(app).search({
        ...(type !== undefined ? { type } : {}),
        ...((id_prefix ?? id) !== undefined ? { idPrefix: id_prefix ?? id } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(size !== undefined ? { size } : {}),
      });
      return {
        hits: {
          total: { value: res.total, relation: 'eq' },
          hits: res.hits.map((a) => ({ _id: a.id, _type: a.type, created_at: a.created_at, updated_at: a.updated_at, _source: a.account })),
        },
        // Accounts whose files cannot be used: named here so they are not silently missing from hits.
        ...(res.unusable.length ? { unusable: res.unusable.map((u) => ({ _id: u.id, _type: u.type, error: `account file ${u.reason}` })) } : {}),
      };
    };
    f.get('/_signals/account/_search', access('account:read'), async (req) => search(req.query));
    f.post('/_signals/account/_search', access('account:read'), async (req) => search({ ...(req.query as object), ...((req.body as object) ?? {}) }));

    f.post<{ Params: Params }>('/_signals/account/:type/:id/_test', access('account:manage'), async (req, reply) => {
      checkParams(req.params);
      const { type, id } = req.params;
      const reg = accountRegistry(app);
      if (!reg.types().includes(type)) throw new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
      // The node's enabled types, as deliveries see them: a disabled type sends nothing, tests included.
      const found = app.registry.enabled(type);
      if (!found.ok) throw found.code === 'ACTION_TYPE_DISABLED' ? new VigilError('ACTION_TYPE_DISABLED', found.message) : new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
      const actionType = found.type;
      const tester = actionType.account?.test;
      if (!tester) return reply.status(501).send({ status: 501, error: `account type ${type} has no test yet`, code: 'NOT_IMPLEMENTED' });
      const body = tester.body.safeParse(req.body ?? {});
      if (!body.success) throw new VigilError('INVALID_REQUEST', 'invalid test request', zodDetail(body.error.issues, { style: 'dotted' }));
      const account = await reg.resolve(type, id);
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 60_000);
      let result: TestAccountResult;
      try {
        // The same seams as a delivery: the HTTP client pinned to the account's destination, and the
        // egress check for the connections the type opens itself (SMTP, SOCKS).
        result = await tester.run(account, body.data, {
          http: accountHttp(actionType, account, app.http),
          egress: app.egress,
          // The accounts a test goes through besides this one (an e-mail channel's sender and groups).
          channels: createChannelAccounts({ registry: app.registry, accounts: reg, http: app.http }),
          clock: app.clock,
          logger: app.logger.child({ account_test: `${type}/${id}` }),
          signal: ac.signal,
        });
      } finally {
        clearTimeout(timer);
      }
      // Results are redacted by the action type already; the registry's redactor is a second guard.
      const scrubbed = JSON.parse(reg.redactor.scrub(JSON.stringify(result))) as typeof result;
      return reply.status(200).send({ _id: id, _type: type, ...scrubbed });
    });
  };
}
