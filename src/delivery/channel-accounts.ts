/**
 * The accounts a send goes through besides its action's own (`DeliverDeps.channels`): the channel of a
 * `notification` action, found by its id alone among the channel account types, and the sender and
 * groups of an e-mail channel. Each is opened the way the action's own account is (`openAccountOf`):
 * looked up, checked against the tenant of the watch, decrypted just before the send, and handed out
 * with the HTTP client pinned to its own destination, so its secrets go only where it says. Account
 * types are the registry's (`TypeRegistry.accountType`): whether one may be used is its owning action
 * type's enabled state.
 */
import type { ChannelAccounts, OpenedAccount } from '../actions/types.ts';
import { VigilError } from '../errors.ts';
import type { HttpClient } from '../net/types.ts';
import { openAccountOf } from '../registry/account-access.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import type { AccountSource } from './types.ts';

export interface ChannelAccountsOptions {
  registry: TypeRegistry;
  accounts: AccountSource;
  /** The egress-checked client; each opened account gets it pinned to its destination. */
  http: HttpClient;
  /**
   * The tenant of the watch the send is for: an account that does not name it is refused
   * (MISSING_PRIVILEGES). Absent for an administrator's test, which no watch makes.
   */
  tenant?: string | undefined;
}

export function createChannelAccounts(o: ChannelAccountsOptions): ChannelAccounts {
  async function find(types: readonly string[], id: string, what: string): Promise<OpenedAccount> {
    const holders = await o.accounts.holders(id, types);
    if (holders.length === 0) throw new VigilError('ACCOUNT_NOT_FOUND', `no ${what} '${id}' (an account of type ${types.join(', ') || '(none on this node)'})`);
    if (holders.length > 1) {
      throw new VigilError('CONFLICT', `${what} '${id}' is ambiguous: ${holders.map((t) => `${t}/${id}`).join(' and ')} share the id; rename all but one`);
    }
    return openAccountOf(o.registry, o.accounts, holders[0]!, id, o.http, o.tenant === undefined ? { label: what } : { tenant: o.tenant, label: what });
  }

  return {
    channel: (id) => find(o.registry.channelTypes, id, 'channel'),
    // Types this node does not have are left out: a sender type added later lights up by registering.
    account: (types, id) => find(types.filter((t) => o.registry.accountType(t) !== undefined), id, 'account'),
  };
}
