/**
 * The accounts a send goes through besides its action's own (`DeliverDeps.channels`): the channel of a
 * `notification` action, found by its id alone among the channel account types, and the sender and
 * groups of an e-mail channel. Each is looked up, checked and decrypted just before the send, like the
 * action's own account, and handed out with the HTTP client pinned to its own destination, so its
 * secrets go only where it says. Account types are the registry's (`TypeRegistry.accountType`): whether
 * one may be used is its owning action type's enabled state.
 */
import { accountHttp } from '../actions/shared/account-destination.ts';
import type { ChannelAccounts, OpenedAccount } from '../actions/types.ts';
import { VigilError } from '../errors.ts';
import type { HttpClient } from '../net/types.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import type { AccountSource } from './types.ts';

export interface ChannelAccountsOptions {
  registry: TypeRegistry;
  accounts: AccountSource;
  /** The egress-checked client; each opened account gets it pinned to its destination. */
  http: HttpClient;
}

export function createChannelAccounts(o: ChannelAccountsOptions): ChannelAccounts {
  async function find(types: readonly string[], id: string, what: string): Promise<OpenedAccount> {
    const holders = await o.accounts.holders(id, types);
    if (holders.length === 0) throw new VigilError('ACCOUNT_NOT_FOUND', `no ${what} '${id}' (an account of type ${types.join(', ') || '(none on this node)'})`);
    if (holders.length > 1) {
      throw new VigilError('CONFLICT', `${what} '${id}' is ambiguous: ${holders.map((t) => `${t}/${id}`).join(' and ')} share the id; rename all but one`);
    }
    const accountType = holders[0]!;
    const entry = o.registry.accountType(accountType)!;
    const found = o.registry.enabled(entry.owner.type);
    if (!found.ok) throw new VigilError(found.code === 'ACTION_TYPE_DISABLED' ? 'ACTION_TYPE_DISABLED' : 'ACCOUNT_NOT_FOUND', `${what} '${id}' is a ${accountType} account: ${found.message}`);
    const account = await o.accounts.resolve(accountType, id);
    return { accountType, owner: found.type, id, account, http: accountHttp({ account: entry.manifest }, account, o.http) };
  }

  return {
    channel: (id) => find(o.registry.channelTypes, id, 'channel'),
    // Types this node does not have are left out: a sender type added later lights up by registering.
    account: (types, id) => find(types.filter((t) => o.registry.accountType(t) !== undefined), id, 'account'),
  };
}
