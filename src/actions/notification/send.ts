/**
 * Sends one channel message through a channel: its type formats the message (`channel.format`) and its
 * own `deliver` sends the result, with the channel's account and the HTTP client pinned to the
 * account's destination. The channel action's deliveries and the Notifications API's test messages
 * both go this way.
 */
import { VigilError } from '../../errors.ts';
import { linkFailure } from '../shared/link-failure.ts';
import type { ChannelMessage, DeliverDeps, DeliveryResult, LinkedAccount } from '../types.ts';

export async function sendChannelMessage(channel: LinkedAccount, msg: ChannelMessage, deps: DeliverDeps<unknown>): Promise<DeliveryResult> {
  const format = channel.type.channel;
  if (!format) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: `${channel.type.type} accounts are not channels` };
  let n;
  try {
    n = format.format(msg, channel.account);
  } catch (e) {
    if (e instanceof VigilError) return linkFailure(e);
    throw e;
  }
  return channel.type.deliver(n, { ...deps, account: channel.account, accountId: channel.id, http: channel.http });
}
