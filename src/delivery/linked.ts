/**
 * The accounts a send goes through besides its action's own (`DeliverDeps.linked`): the channel of a
 * `notification` action, found by its id alone among the channel types, and the sender of an e-mail
 * channel. Each is looked up, checked and decrypted just before the send, like the action's own account,
 * and handed out with the HTTP client pinned to its own destination, so its secrets go only where it says.
 */
import { accountHttp } from '../actions/shared/account-destination.ts';
import type { LinkedAccount, LinkedAccounts } from '../actions/types.ts';
import { VigilError } from '../errors.ts';
import type { HttpClient } from '../net/types.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import type { AccountSource } from './types.ts';

export interface LinkedAccountsOptions {
  registry: TypeRegistry;
  accounts: AccountSource;
  /** The egress-checked client; each linked account gets it pinned to its destination. */
  http: HttpClient;
}

export function createLinkedAccounts(o: LinkedAccountsOptions): LinkedAccounts {
  const channelTypes = o.registry.channelTypes.map((t) => t.type);

  async function find(types: readonly string[], id: string, what: string): Promise<LinkedAccount> {
    const holders = await o.accounts.holders(id, types);
    if (holders.length === 0) throw new VigilError('ACCOUNT_NOT_FOUND', `no ${what} '${id}' (an account of type ${types.join(', ') || '(none on this node)'})`);
    if (holders.length > 1) {
      throw new VigilError('CONFLICT', `${what} '${id}' is ambiguous: ${holders.map((t) => `${t}/${id}`).join(' and ')} share the id; rename all but one`);
    }
    const name = holders[0]!;
    const found = o.registry.enabled(name);
    if (!found.ok) throw new VigilError(found.code === 'ACTION_TYPE_DISABLED' ? 'ACTION_TYPE_DISABLED' : 'ACCOUNT_NOT_FOUND', `${what} '${id}' is a ${name} account: ${found.message}`);
    const account = await o.accounts.resolve(name, id);
    return { type: found.type, id, account, http: accountHttp(found.type, account, o.http) };
  }

  return {
    channel: (id) => find(channelTypes, id, 'channel'),
    // Types this node does not have are left out: a sender type added later lights up by registering.
    account: (types, id) => find(types.filter((t) => o.registry.action(t)?.account), id, 'account'),
  };
}
