/**
 * How a send gets at accounts, the same way for a delivery, an account test and a channel: the account
 * an action names (its own type's or a linked sender's), an account of a type the code names (a
 * channel, an e-mail channel's sender), each with the HTTP client pinned to that account's destination
 * and for the tenant of the watch, and read access to the action type's linked `lookup` accounts
 * (recipient groups) and nothing else, so a send can never open another type's secrets by naming them.
 */
import type { HttpClient } from '../net/types.ts';
import { VigilError } from '../errors.ts';
import { accountHttp } from '../actions/shared/account-destination.ts';
import type { ActionType, OpenedAccount } from '../actions/types.ts';
import type { TypeRegistry } from './registry.ts';

export type { OpenedAccount } from '../actions/types.ts';

/** Where decrypted accounts come from (the accounts registry, or a test's fixed map). */
export interface AccountReader {
  /**
   * Throws VigilError ACCOUNT_NOT_FOUND or ACCOUNT_DECRYPT_FAILED, and MISSING_PRIVILEGES when `o.tenant`
   * (the tenant of the watch using it) is not one of the tenants the account names.
   */
  resolve(type: string, id: string, o?: { tenant?: string }): Promise<unknown>;
}

/**
 * Opens the account an action of `owner` names with `ref` (`id` or `<type>:<id>`), for a watch of
 * `o.tenant` when there is one. Throws VigilError: ACCOUNT_NOT_FOUND for a type the action cannot send
 * with or a missing account, MISSING_PRIVILEGES for an account that is not the tenant's.
 */
export async function openAccount(registry: TypeRegistry, reader: AccountReader, owner: ActionType, ref: string, http: HttpClient, o: { tenant?: string } = {}): Promise<OpenedAccount> {
  const found = registry.accountRef(owner.type, ref);
  if (!found.ok) throw new VigilError('ACCOUNT_NOT_FOUND', found.message);
  return openAccountOf(registry, reader, found.type, found.id, http, o);
}

/**
 * Opens the account `id` of the registered account type `accountType` (one the code chose: a channel's
 * type, an e-mail channel's sender), for a watch of `o.tenant` when there is one. Throws VigilError:
 * ACCOUNT_NOT_FOUND (no such type or account), ACTION_TYPE_DISABLED (its owner is off on this node),
 * MISSING_PRIVILEGES (not the tenant's), and what `reader.resolve` throws (ACCOUNT_DISABLED…).
 * `o.label` names the account in messages (`channel`); default `account`.
 */
export async function openAccountOf(registry: TypeRegistry, reader: AccountReader, accountType: string, id: string, http: HttpClient, o: { tenant?: string; label?: string } = {}): Promise<OpenedAccount> {
  const entry = registry.accountType(accountType);
  if (!entry) throw new VigilError('ACCOUNT_NOT_FOUND', `no account type ${accountType} on this node`);
  const enabled = registry.enabled(entry.owner.type);
  if (!enabled.ok) {
    throw new VigilError(enabled.code === 'ACTION_TYPE_DISABLED' ? 'ACTION_TYPE_DISABLED' : 'ACCOUNT_NOT_FOUND', `${o.label ?? 'account'} '${id}' is a ${accountType} account: ${enabled.message}`);
  }
  const account = await reader.resolve(accountType, id, o.tenant === undefined ? {} : { tenant: o.tenant });
  const lookupAccount = lookupFor(registry, reader, enabled.type, o.tenant === undefined ? {} : { tenant: o.tenant });
  return { accountType, owner: enabled.type, id, account, http: accountHttp({ account: entry.manifest }, account, http), lookupAccount };
}

/** `DeliverDeps.lookupAccount` for an action of `owner` (of a watch of `o.tenant`): its linked lookup account types only. */
export function lookupFor(registry: TypeRegistry, reader: AccountReader | null, owner: ActionType, o: { tenant?: string } = {}): (type: string, id: string) => Promise<unknown> {
  return async (type, id) => {
    const entry = registry.accountType(type);
    if (entry?.owner !== owner || entry.role !== 'lookup') throw new VigilError('ACCOUNT_NOT_FOUND', `${owner.type} actions cannot look up ${type} accounts`);
    if (!reader) throw new VigilError('ACCOUNT_NOT_FOUND', `no ${type} account '${id}': no accounts registry is configured`);
    return reader.resolve(type, id, o);
  };
}
