/**
 * The e-mail channel (`email_channel`): a preset of recipients (addresses and recipient groups) and the
 * account that sends to them, as the Notifications plugin's `email` config. It is a channel (a
 * `notification` action sends to it by id), and an action type of its own: an `email` action whose
 * account is the preset, its `to`/`cc`/`bcc` added to the preset's recipients. At send time the sender
 * and the groups are looked up, checked and decrypted like the channel itself, so editing a group or
 * the sender changes every watch that uses the channel; the sender's type then sends the message (its
 * own rules apply: the SMTP account's domain allowlist, the egress policy).
 */
import { z } from 'zod';
import type { ActionType, DeliverDeps, DeliveryResult, RenderedNotification, TestAccountDeps } from '../types.ts';
import { emailParamsSchema, type EmailParams } from '../email/params.ts';
import { compileEmail } from '../email/render.ts';
import { formatChannelMessage } from '../email/channel.ts';
import { formatMailbox, parseAddresses } from '../email/addresses.ts';
import { asEmailRequest } from '../email/request.ts';
import { accountFailure } from '../shared/account-failure.ts';
import { testDeliverDeps } from '../shared/test-account.ts';
import { emailChannelAccount, type EmailChannelAccount } from './schema.ts';

/** Account types that send e-mail; those this node does not have are ignored. */
export const SENDER_TYPES = ['email', 'ses', 'exchange'] as const;
/** Account types of recipient groups: `{emails: [...]}`. */
export const GROUP_TYPES = ['email_group'] as const;

/** The addresses of a recipient group account. */
function groupAddresses(id: string, group: unknown): string[] | string {
  const emails = (group as { emails?: unknown } | null)?.emails;
  if (!Array.isArray(emails) || emails.some((e) => typeof e !== 'string')) return `recipient group ${id} has no list of e-mail addresses (emails)`;
  return emails as string[];
}

async function deliverThroughSender(n: RenderedNotification, deps: DeliverDeps<EmailChannelAccount>): Promise<DeliveryResult> {
  const channel = deps.account;
  if (!channel) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'the email_channel action needs an email_channel account' };
  const request = asEmailRequest(n.request);
  if (!request) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: 'not an email request' };
  if (!deps.channels) return { ok: false, retry: false, code: 'ACCOUNTS_UNAVAILABLE', message: 'an e-mail channel sends through another account, and no accounts registry is available' };
  const recipients = [...request.to, ...(channel.recipient_list ?? [])];
  let sender;
  try {
    sender = await deps.channels.account(SENDER_TYPES, channel.email_account_id);
    for (const gid of channel.email_group_id_list ?? []) {
      const group = await deps.channels.account(GROUP_TYPES, gid);
      const list = groupAddresses(gid, group.account);
      if (typeof list === 'string') return { ok: false, retry: false, code: 'INVALID_REQUEST', message: list };
      recipients.push(...list);
    }
  } catch (e) {
    return accountFailure(e);
  }
  // One message to everyone, each address once, as first written (a group may repeat one the channel names).
  const unique = new Map<string, string>();
  for (const m of parseAddresses(recipients).mailboxes) if (!unique.has(m.address.toLowerCase())) unique.set(m.address.toLowerCase(), formatMailbox(m));
  const to = [...unique.values()];
  const lookupAccount = sender.lookupAccount;
  return sender.owner.deliver({ ...n, request: { ...request, to } }, { ...deps, account: sender.account, accountId: sender.id, accountType: sender.accountType, http: sender.http, lookupAccount });
}

/** `_test`: a test message through the same path as a delivery (sender, groups, the sender's own send). */
async function testAccount(account: EmailChannelAccount, _opts: Record<string, never>, deps: TestAccountDeps): Promise<DeliveryResult> {
  const n = formatChannelMessage({ subject: 'Vigil test message', message: 'This is a test message sent by Vigil to check an e-mail channel.', severity: 'info' });
  return deliverThroughSender(n, testDeliverDeps(account, deps, `vigil-account-test-${deps.clock.now()}`));
}

export const emailChannelAction: ActionType<EmailParams, EmailChannelAccount> = {
  type: 'email_channel',
  params: emailParamsSchema,
  account: {
    ...emailChannelAccount,
    required: true,
    // No secret of its own; the sender's secrets go where the sender's type sends them.
    destination: () => null,
    test: { body: z.strictObject({}), run: testAccount },
  },
  compile: (params, env) => compileEmail(params, env),
  channel: { format: (msg) => formatChannelMessage(msg) },
  deliver: deliverThroughSender,
  conformance: {
    params: () => ({ subject: 's', text_body: 'b' }),
    account: { example: () => ({ email_account_id: 'smtp', recipient_list: ['ops@example.com'] }), secrets: [] },
    // SMTP: it sends through its sender's type; covered in test/actions/email-channel/.
    overHttp: false,
  },
};
