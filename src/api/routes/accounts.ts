import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { VigilError } from '../../errors.ts';
import { assertValidId } from '../../accounts/store.ts';
import type { AccountRegistry } from '../../accounts/registry.ts';
import type { TestAccountResult } from '../../actions/types.ts';
import { accountHttp } from '../../actions/shared/account-destination.ts';
import { lookupFor, openAccount } from '../../registry/account-access.ts';
import { zodDetail } from '../../error-detail.ts';
import { usesAccount } from '../../watches/compile.ts';
import { createChannelAccounts } from '../../delivery/channel-accounts.ts';
import type { Permission } from '../../security/types.ts';
import type { ActionType } from '../../actions/types.ts';
import { ID_PATTERN } from '../../watches/schema.ts';
import { component, type RouteExample } from '../route-schema.ts';
import { searchHits } from '../responses.ts';

type Params = { type: string; id: string };

const searchQuery = z
  .object({
    type: z.string().optional().describe('Only accounts of this type'),
    id: z.string().optional().describe('Only accounts whose id starts with this (as id_prefix)'),
    id_prefix: z.string().optional().describe('Only accounts whose id starts with this'),
    from: z.coerce.number().int().min(0).optional().describe('First hit (default 0)'),
    size: z.coerce.number().int().min(0).max(1000).optional().describe('Hits to return (default 10)'),
  })
  .strict();

const idField = z.string().regex(ID_PATTERN).describe('[A-Za-z0-9_-]{1,128}');
const accountParams = z.object({ type: idField.describe('The account type: email, slack, pagerduty, jira, webhook'), id: idField.describe('The account id') });
const accountView = z.looseObject({
  _id: z.string(),
  _type: z.string(),
  updated_at: z.string().nullable().optional(),
  _source: z.record(z.string(), z.unknown()).describe('The account\'s fields; each secret only as {"set": true, "kid": …, "updated_at": …}'),
});
const written = (result: string) => z.object({ _id: z.string(), _type: z.string(), result: z.literal(result) });

/** The example of one account type for the OpenAPI document: the type's own conformance example. */
function accountExample(t: ActionType): RouteExample {
  return {
    name: t.type,
    summary: `A ${t.type} account`,
    params: { type: t.type, id: 'openapi-example' },
    body: t.conformance.account!.example('https://service.example.com'),
  };
}

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
    const types = app.registry.accountTypes;
    // Each type's account schema, as the accounts registry validates a PUT of that type with it.
    const bodies = types.map((t) => component(`Account-${t.type}`, t.account!.schema as z.ZodType));
    const tests = types.flatMap((t) => (t.account!.test ? [component(`AccountTest-${t.type}`, t.account!.test.body as z.ZodType)] : []));
    const accountExamples = types.map(accountExample);
    const byId = (summary: string) => accountExamples.map((e) => ({ name: e.name, summary, params: e.params! }));

    f.put<{ Params: Params }>('/_signals/account/:type/:id', {
      ...access('account:manage'),
      schema: {
        summary: 'Store an account (create or replace); its secrets are sealed, never returned',
        description: 'The body is the account of the type in the path (docs/actions/<type>.md). A secret left out keeps its stored value; `null` clears it.',
        params: accountParams,
        body: z.union(bodies as [z.ZodType, ...z.ZodType[]]),
        response: { 200: written('updated'), 201: written('created') },
        examples: accountExamples,
      },
    }, async (req, reply) => {
      checkParams(req.params);
      const { created } = await accountRegistry(app).put(req.params.type, req.params.id, req.body);
      return reply.status(created ? 201 : 200).send({ _id: req.params.id, _type: req.params.type, result: created ? 'created' : 'updated' });
    });

    f.get<{ Params: Params }>('/_signals/account/:type/:id', {
      ...access('account:read'),
      schema: { summary: 'Read an account: its fields, and for each secret only whether it is set', params: accountParams, response: { 200: accountView.extend({ found: z.literal(true) }) }, examples: byId('An account stored by the PUT examples') },
    }, async (req) => {
      checkParams(req.params);
      const a = await accountRegistry(app).getPublic(req.params.type, req.params.id);
      return { _id: a.id, _type: a.type, found: true, created_at: a.created_at, updated_at: a.updated_at, _source: a.account };
    });

    f.delete<{ Params: Params }>('/_signals/account/:type/:id', {
      ...access('account:manage'),
      schema: { summary: 'Delete an account; refused (409 CONFLICT) while a watch uses it', params: accountParams, response: { 200: written('deleted') }, examples: byId('An account stored by the PUT examples') },
    }, async (req) => {
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
    const searchResponse = { 200: searchHits(accountView).extend({ unusable: z.array(z.looseObject({ _id: z.string(), _type: z.string(), error: z.string() })).optional().describe('Accounts whose files cannot be used') }) };
    const summary = 'Search accounts by type and id prefix (never their secrets)';
    f.get('/_signals/account/_search', {
      ...access('account:read'),
      schema: { summary, querystring: searchQuery, response: searchResponse, examples: [{ name: 'webhooks', summary: 'The webhook accounts', query: { type: 'webhook', size: '20' } }] },
    }, async (req) => search(req.query));
    f.post('/_signals/account/_search', {
      ...access('account:read'),
      schema: {
        summary,
        description: 'The parameters may be given in the body or the query.',
        querystring: searchQuery,
        body: searchQuery.optional(),
        response: searchResponse,
        examples: [{ name: 'prefix', summary: 'Accounts whose id starts with openapi', body: { id_prefix: 'openapi', size: 20 } }],
      },
    }, async (req) => search({ ...(req.query as object), ...((req.body as object) ?? {}) }));

    f.post<{ Params: Params }>('/_signals/account/:type/:id/_test', {
      ...access('account:manage'),
      schema: {
        summary: 'Send a test message through an account, by the real send path',
        description: 'Answers 200 with the outcome (`ok`, and `code` and `message` when it failed). The body depends on the type (docs/actions/<type>.md).',
        params: accountParams,
        body: z.union(tests as [z.ZodType, ...z.ZodType[]]).optional(),
        response: { 200: z.looseObject({ _id: z.string(), _type: z.string(), ok: z.boolean(), code: z.string().optional(), message: z.string().optional() }) },
      },
    }, async (req, reply) => {
      checkParams(req.params);
      const { type, id } = req.params;
      const reg = accountRegistry(app);
      const accountType = app.registry.accountType(type);
      if (!reg.types().includes(type) || !accountType) throw new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
      // The node's enabled types, as deliveries see them: a disabled type sends nothing, tests included.
      // A linked account type (an e-mail sender, a recipient group) is as enabled as its action type.
      const found = app.registry.enabled(accountType.owner.type);
      if (!found.ok) throw found.code === 'ACTION_TYPE_DISABLED' ? new VigilError('ACTION_TYPE_DISABLED', found.message) : new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
      const actionType = found.type;
      const tester = accountType.manifest.test;
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
          http: accountHttp({ account: accountType.manifest }, account, app.http),
          lookupAccount: lookupFor(app.registry, reg, actionType),
          // The test of a recipient group sends through a sender the body names, opened like a delivery's.
          sender: (ref) => openAccount(app.registry, reg, actionType, ref, app.http),
          egress: app.egress,
          daemonAwsCredentials: app.daemonAwsCredentials,
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
