/**
 * Sends one channel message through a channel: its type formats the message (`channel.format`) and its
 * own `deliver` sends the result, with the channel's account, the HTTP client pinned to the account's
 * destination and read access to the owner's recipient groups. The channel action's deliveries and the Notifications API's test messages
 * both go this way.
 */
import { VigilError } from '../../errors.ts';
import { accountFailure } from '../shared/account-failure.ts';
import type { ChannelMessage, DeliverDeps, DeliveryResult, OpenedAccount } from '../types.ts';

export async function sendChannelMessage(channel: OpenedAccount, msg: ChannelMessage, deps: DeliverDeps<unknown>): Promise<DeliveryResult> {
  const format = channel.owner.channel;
  if (!format) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: `${channel.accountType} accounts are not channels` };
  let n;
  try {
    n = format.format(msg, channel.account);
  } catch (e) {
    if (e instanceof VigilError) return accountFailure(e);
    throw e;
  }
  // The channel's owner reads its own lookups (the groups an e-mail account's defaults name), not the action's.
  const lookupAccount = channel.lookupAccount;
  return channel.owner.deliver(n, { ...deps, account: channel.account, accountId: channel.id, accountType: channel.accountType, http: channel.http, lookupAccount });
}
