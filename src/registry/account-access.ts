/**
 * How a send gets at accounts beyond the action's own, the same way for a delivery and an account test:
 * the account an action names (its own type's or a linked sender's), the HTTP client pinned to that
 * account's destination, and read access to the action type's linked `lookup` accounts (recipient
 * groups) and nothing else, so a send can never open another type's secrets by naming them.
 */
import type { HttpClient } from '../net/types.ts';
import { VigilError } from '../errors.ts';
import { accountHttp } from '../actions/shared/account-destination.ts';
import type { ActionType } from '../actions/types.ts';
import type { TypeRegistry } from './registry.ts';

/** Where decrypted accounts come from (the accounts registry, or a test's fixed map). */
export interface AccountReader {
  /**
   * Throws VigilError ACCOUNT_NOT_FOUND or ACCOUNT_DECRYPT_FAILED, and MISSING_PRIVILEGES when `o.tenant`
   * (the tenant of the watch using it) is not one of the tenants the account names.
   */
  resolve(type: string, id: string, o?: { tenant?: string }): Promise<unknown>;
}

/** An account opened for one send: its type, its value and the HTTP client held to its destination. */
export interface OpenedAccount {
  accountType: string;
  account: unknown;
  http: HttpClient;
}

/**
 * Opens the account an action of `owner` names with `ref` (`id` or `<type>:<id>`), for a watch of
 * `o.tenant` when there is one. Throws VigilError: ACCOUNT_NOT_FOUND for a type the action cannot send
 * with or a missing account, MISSING_PRIVILEGES for an account that is not the tenant's.
 */
export async function openAccount(registry: TypeRegistry, reader: AccountReader, owner: ActionType, ref: string, http: HttpClient, o: { tenant?: string } = {}): Promise<OpenedAccount> {
  const found = registry.accountRef(owner.type, ref);
  if (!found.ok) throw new VigilError('ACCOUNT_NOT_FOUND', found.message);
  const account = await reader.resolve(found.type, found.id, o);
  const manifest = registry.accountType(found.type)?.manifest;
  return { accountType: found.type, account, http: accountHttp({ account: manifest }, account, http) };
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
