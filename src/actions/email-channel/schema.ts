import { z } from 'zod';
import { accountSchemas } from '../shared/account-schema.ts';
import { parseAddresses } from '../email/addresses.ts';

/** An account id, as the accounts registry takes them. */
const accountId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be an account id: [A-Za-z0-9_-]{1,128}')
  .refine((id) => !['__proto__', 'constructor', 'prototype'].includes(id), 'is a reserved name, not an account id');

/**
 * An e-mail channel (the Notifications plugin's `email` config): who receives, and which account sends.
 * Nothing in it is secret: the sender's credentials stay in the sender's own account.
 */
export const emailChannelAccount = accountSchemas(
  z.strictObject({
    /** The account that sends: an `email` (SMTP) account, or another sender type this node has. */
    email_account_id: accountId,
    /** Addresses (`a@b` or `Name <a@b>`). */
    recipient_list: z.array(z.string().min(1).max(998)).max(1000).optional(),
    /** Recipient groups (`email_group` accounts) whose addresses are added at send time. */
    email_group_id_list: z.array(accountId).max(100).optional(),
  }),
  z.strictObject({}),
  (a, ctx) => {
    const { invalid } = parseAddresses(a.recipient_list ?? []);
    if (invalid.length > 0) ctx.addIssue({ code: 'custom', path: ['recipient_list'], message: `not an e-mail address: ${invalid.slice(0, 5).join(', ')}` });
    if (a.email_group_id_list?.includes(a.email_account_id)) {
      ctx.addIssue({ code: 'custom', path: ['email_group_id_list'], message: `${a.email_account_id} is the sender, not a recipient group` });
    }
  },
);

export type EmailChannelAccount = z.infer<typeof emailChannelAccount.schema>;
