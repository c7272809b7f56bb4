/**
 * The OpenSearch Notifications plugin's REST API (`/_plugins/_notifications`) over the accounts
 * registry: each config is an account of the type its `config_type` maps to (api/notifications/
 * config-types.ts), so every write goes through the registry (validation, sealing, the account's
 * destination rules) and the audit log, and GET never returns a secret. Admin only, like accounts:
 * `account:read` to read, `account:manage` to write and to send a test message. Config ids are
 * unique across the config types, as in the plugin.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KeyedLock } from '../../accounts/keyed-lock.ts';
import { assertValidId, isObject, type Doc } from '../../accounts/store.ts';
import { COMMON_ACCOUNT_FIELDS } from '../../actions/types.ts';
import { createChannelAccounts } from '../../delivery/channel-accounts.ts';
import { addDetail, zodDetail } from '../../error-detail.ts';
import { VigilError, type ErrorDetail } from '../../errors.ts';
import type { Permission } from '../../security/types.ts';
import type { ApiContext } from '../context.ts';
import { CONFIG_TYPES, SENDER_CONFIG_TYPES, byAccountType, byConfigType, type ConfigTypeMapping } from '../notifications/config-types.ts';
import { configItem, readConfigBody, toConfigError, type ConfigItem, type ConfigWrite } from '../notifications/configs.ts';
import { listQuery, listResult, parseListQuery, requestedIds } from '../notifications/list.ts';
import { refusedTest, runTestMessage } from '../notifications/test-message.ts';
import { accountRegistry, refuseIfUsed } from './accounts.ts';

const BASE = '/_plugins/_notifications';
const access = (permission: Permission) => ({ config: { access: { permission } } });
type IdParams = { config_id: string };

const deleteQuery = z.strictObject({ config_id: z.string().optional(), config_id_list: z.string().optional() });
const idParams = z.object({ config_id: z.string().describe('The config id: the id of the account that stores it, unique across config types') });
const configBody = z.looseObject({ config_id: z.string().optional(), config: z.looseObject({ name: z.string(), config_type: z.string() }) }).describe('A config in the plugin\'s shape: {config_id?, config: {name, description?, config_type, is_enabled?, <config_type>: {...}}}');
/** What a route declares for the OpenAPI document (the handler validates its input itself). */
const route = (permission: Permission, schema: Record<string, unknown>) => ({ ...access(permission), schema });

export function notificationRoutes(app: ApiContext): (f: FastifyInstance) => Promise<void> {
  // One create, update or delete of a config id at a time: ids are unique across account types, which
  // the accounts registry's own per-account lock cannot see.
  const locks = new KeyedLock();

  /** The config types whose account type this node has registered. */
  const registered = (accountType: string) => app.registry.accountType(accountType) !== undefined;
  const available = () => CONFIG_TYPES.filter((m) => registered(m.accountType));
  const accountTypes = () => available().map((m) => m.accountType);

  function requireAvailable(m: ConfigTypeMapping): void {
    if (!registered(m.accountType)) {
      throw new VigilError('INVALID_REQUEST', `config_type ${m.configType} is not available on this node: it is stored as a ${m.accountType} account, a type this node does not have`, {
        'config.config_type': [{ error: `no ${m.accountType} account type on this node` }],
      });
    }
  }

  /** The account type holding config `id`: NOT FOUND when none does, CONFLICT when several do. */
  async function locate(id: string): Promise<ConfigTypeMapping> {
    assertValidId('id', id);
    const holders = await accountRegistry(app).holders(id, accountTypes());
    if (holders.length === 0) throw new VigilError('ACCOUNT_NOT_FOUND', `notification config ${id} not found`);
    if (holders.length > 1) throw new VigilError('CONFLICT', `config id ${id} is held by several accounts (${holders.map((t) => `${t}/${id}`).join(', ')}); rename all but one through /_signals/account`);
    return byAccountType.get(holders[0]!)!;
  }

  /** An `email` config's sender and groups must be configs of the right types, as the plugin checks. */
  async function checkReferences(w: ConfigWrite): Promise<void> {
    if (w.mapping.configType !== 'email') return;
    const reg = accountRegistry(app);
    const detail: ErrorDetail = {};
    const senders = SENDER_CONFIG_TYPES.map((t) => byConfigType.get(t)!.accountType).filter(registered);
    const sender = w.account.email_account_id as string;
    if ((await reg.holders(sender, senders)).length === 0) addDetail(detail, 'config.email.email_account_id', `no ${SENDER_CONFIG_TYPES.join(' or ')} config ${sender}`);
    const groups = (w.account.email_group_id_list as string[] | undefined) ?? [];
    const groupType = byConfigType.get('email_group')!.accountType;
    for (const [i, id] of groups.entries()) {
      if (!registered(groupType)) addDetail(detail, `config.email.email_group_id_list[${i}]`, 'this node has no email_group configs');
      else if ((await reg.holders(id, [groupType])).length === 0) addDetail(detail, `config.email.email_group_id_list[${i}]`, `no email_group config ${id}`);
    }
    if (Object.keys(detail).length > 0) throw new VigilError('INVALID_REQUEST', 'the email config names configs that do not exist; see detail', detail);
  }

  async function item(id: string, m: ConfigTypeMapping): Promise<ConfigItem> {
    return configItem(await accountRegistry(app).getPublic(m.accountType, id), m);
  }

  const searchResult = (list: ConfigItem[]) => ({ start_index: 0, total_hits: list.length, total_hit_relation: 'eq', config_list: list });

  return async (f) => {
    f.post(`${BASE}/configs`, route('account:manage', { summary: 'Create a notification config, stored as an account of the type its config_type maps to', body: configBody }), async (req) => {
      const w = readConfigBody(req.body, { create: true });
      requireAvailable(w.mapping);
      const id = w.configId ?? randomBytes(15).toString('base64url');
      assertValidId('id', id);
      await locks.run(id, async () => {
        const reg = accountRegistry(app);
        if ((await reg.holders(id, accountTypes())).length > 0) throw new VigilError('CONFLICT', `notification config ${id} already exists`);
        await checkReferences(w);
        await reg.put(w.mapping.accountType, id, w.account, { expect: 'create' }).catch((e: unknown) => Promise.reject(toConfigError(e, w.mapping)));
      });
      return { config_id: id };
    });

    f.put<{ Params: IdParams }>(`${BASE}/configs/:config_id`, route('account:manage', { summary: 'Replace what a notification config carries; the account\'s other fields and left-out secrets are kept', params: idParams, body: configBody }), async (req) => {
      const id = req.params.config_id;
      assertValidId('id', id);
      const w = readConfigBody(req.body, { create: false, id });
      requireAvailable(w.mapping);
      await locks.run(id, async () => {
        const stored = await locate(id);
        if (stored !== w.mapping) throw new VigilError('CONFLICT', `config type cannot be changed after creation: ${id} is a ${stored.configType} config`);
        await checkReferences(w);
        // The fields this config type does not carry (set through /_signals/account) are kept.
        const drop = new Set<string>([...w.mapping.owned, ...COMMON_ACCOUNT_FIELDS]);
        const keep = (current: Doc | undefined) => Object.fromEntries(Object.entries(current ?? {}).filter(([k]) => !drop.has(k)));
        await accountRegistry(app)
          .update(w.mapping.accountType, id, (current) => ({ ...keep(current), ...w.account }), { expect: 'update' })
          .catch((e: unknown) => Promise.reject(toConfigError(e, w.mapping)));
      });
      return { config_id: id };
    });

    f.get<{ Params: IdParams }>(`${BASE}/configs/:config_id`, route('account:read', { summary: 'Read a notification config, without its secrets', params: idParams }), async (req) => {
      const id = req.params.config_id;
      return searchResult([await item(id, await locate(id))]);
    });

    f.get(`${BASE}/configs`, route('account:read', { summary: 'List notification configs, with the plugin\'s filters, sorting and paging', querystring: listQuery }), async (req) => {
      const q = parseListQuery(req.query);
      const ids = requestedIds(q);
      if (ids) {
        const missing: string[] = [];
        const found: ConfigItem[] = [];
        for (const id of ids) {
          const m = await locate(id).catch((e: unknown) => (e instanceof VigilError && e.code === 'ACCOUNT_NOT_FOUND' ? (missing.push(id), null) : Promise.reject(e)));
          if (m) found.push(await item(id, m));
        }
        if (missing.length > 0) throw new VigilError('ACCOUNT_NOT_FOUND', `notification config(s) ${missing.join(', ')} not found`);
        return listResult(found, q, true);
      }
      const reg = accountRegistry(app);
      const items: ConfigItem[] = [];
      const unusable: Array<{ config_id: string; config_type: string; error: string }> = [];
      for (const m of available()) {
        for (let from = 0; ; from += 1000) {
          const page = await reg.search({ type: m.accountType, size: 1000, from });
          items.push(...page.hits.map((a) => configItem(a, m)));
          // A config whose file cannot be used is named, not silently missing.
          if (from === 0) unusable.push(...page.unusable.map((u) => ({ config_id: u.id, config_type: m.configType, error: `account file ${u.reason}` })));
          if (from + 1000 >= page.total) break;
        }
      }
      return { ...listResult(items, q, false), ...(unusable.length ? { unusable } : {}) };
    });

    const remove = async (ids: string[]) => {
      const located: Array<[string, ConfigTypeMapping]> = [];
      const missing: string[] = [];
      for (const id of ids) {
        const m = await locate(id).catch((e: unknown) => (e instanceof VigilError && e.code === 'ACCOUNT_NOT_FOUND' ? (missing.push(id), null) : Promise.reject(e)));
        if (m) located.push([id, m]);
      }
      if (missing.length > 0) throw new VigilError('ACCOUNT_NOT_FOUND', `notification config(s) ${missing.join(', ')} not found`);
      // All or nothing: a config a watch sends to is refused before any is deleted.
      for (const [id, m] of located) refuseIfUsed(app, m.accountType, id);
      const out: Record<string, string> = {};
      for (const [id, m] of located) {
        await locks.run(id, () => accountRegistry(app).delete(m.accountType, id));
        out[id] = 'OK';
      }
      return { delete_response_list: out };
    };

    f.delete<{ Params: IdParams }>(`${BASE}/configs/:config_id`, route('account:manage', { summary: 'Delete a notification config; refused (409) while a watch sends to it', params: idParams }), async (req) => remove([req.params.config_id]));

    f.delete(`${BASE}/configs`, route('account:manage', { summary: 'Delete the notification configs a list names, all or none', querystring: deleteQuery }), async (req) => {
      const parsed = deleteQuery.safeParse(req.query ?? {});
      if (!parsed.success) throw new VigilError('INVALID_REQUEST', 'invalid query parameters; see detail', zodDetail(parsed.error.issues));
      const ids = [...new Set([parsed.data.config_id, ...(parsed.data.config_id_list ?? '').split(',')].map((s) => s?.trim()).filter((s): s is string => !!s))];
      if (ids.length === 0) throw new VigilError('INVALID_REQUEST', 'either config_id or config_id_list is required');
      return remove(ids);
    });

    f.get(`${BASE}/features`, route('account:read', { summary: 'The config types this node can store and send with' }), async () => ({
      // Offered are the config types this node can store and send with (a type switched off is not).
      allowed_config_type_list: available()
        .filter((m) => app.registry.enabled(app.registry.accountType(m.accountType)!.owner.type).ok)
        .map((m) => m.configType),
      plugin_features: {},
    }));

    f.post<{ Params: IdParams }>(`${BASE}/feature/test/:config_id`, route('account:manage', { summary: 'Send the plugin\'s test message through a channel config, by the real send path', params: idParams }), async (req, reply) => {
      const id = req.params.config_id;
      const m = await locate(id);
      const reg = accountRegistry(app);
      const pub = await reg.getPublic(m.accountType, id);
      const info = { configId: id, configType: m.configType, configName: typeof pub.account.name === 'string' ? pub.account.name : id };
      if (!app.registry.channelTypes.includes(m.accountType)) throw new VigilError('INVALID_REQUEST', `a ${m.configType} config receives no messages; test a channel that uses it`);
      const channels = createChannelAccounts({ registry: app.registry, accounts: reg, http: app.http });
      let channel;
      try {
        channel = await channels.account([m.accountType], id);
      } catch (e) {
        if (e instanceof VigilError && e.code === 'ACCOUNT_DISABLED') {
          const refused = refusedTest(info, e);
          return reply.status(refused.status).send(refused.body);
        }
        throw e;
      }
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 60_000);
      try {
        const outcome = await runTestMessage({
          ...info,
          channel,
          now: app.clock.now(),
          deps: { http: app.http, egress: app.egress, daemonAwsCredentials: app.daemonAwsCredentials, clock: app.clock, logger: app.logger.child({ notifications_test: id }), signal: ac.signal, channels },
        });
        // The types redact their results already; the registry's redactor is a second guard.
        const body = JSON.parse(reg.redactor.scrub(JSON.stringify(outcome.body))) as unknown;
        return reply.status(outcome.status).send(isObject(body) ? body : {});
      } finally {
        clearTimeout(timer);
      }
    });
  };
}
