/**
 * Who a mail goes to, decided the same way whichever sender sends it (SMTP, SES, Exchange): the
 * action's addresses and the members of the groups it names, or, for each of to/cc/bcc the action
 * leaves empty, the sender account's default (addresses and groups); then the domain allowlist over the
 * final list. Groups are read now, at send time, so an edited group takes effect on the next mail.
 */
import { createHash } from 'node:crypto';
import { VigilError, errorMessage } from '../../errors.ts';
import type { Failure } from '../shared/classify.ts';
import { domainOf, formatMailbox, parseAddresses, refusedByAllowlist } from './addresses.ts';
import type { SenderDefaults } from './defaults.ts';
import { addressStrings, groupIds, withGroups, type GroupReader } from './groups.ts';
import type { MailAttachment } from './attachments.ts';
import type { EmailRequest } from './request.ts';

export interface Envelope {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
}

/** A sender account as the envelope sees it: its default From (already chosen) and its defaults. */
export interface SenderView extends SenderDefaults {
  /** The From used when the action sets none; `''` when the account has none either. */
  defaultFrom: string;
}

const FIELDS = [
  ['to', 'default_to'],
  ['cc', 'default_cc'],
  ['bcc', 'default_bcc'],
] as const;

/** The envelope of `r` sent through `sender`, or the failure that stops the send (never retried). */
export async function buildEnvelope(r: EmailRequest, sender: SenderView, read: GroupReader): Promise<Envelope | Failure> {
  const from = r.from !== '' ? r.from : sender.defaultFrom;
  if (from === '') return invalid('no from address: set from in the action or a default from in the account');
  const env: Envelope = { from, to: [], cc: [], bcc: [], replyTo: r.reply_to };
  try {
    for (const [field, fallback] of FIELDS) {
      const own = r[field];
      const groups = r.groups?.[field] ?? [];
      // Action values first, account defaults where the action has none (per field, as Signals does).
      env[field] =
        own.length > 0 || groups.length > 0
          ? await withGroups(own, groups, read)
          : await withGroups(parseAddresses(addressStrings(sender[fallback])).mailboxes.map(formatMailbox), groupIds(sender[fallback]), read);
    }
  } catch (e) {
    const code = e instanceof VigilError ? e.code : 'ACCOUNT_ERROR';
    return { ok: false, retry: false, code, message: errorMessage(e) };
  }
  if (env.to.length + env.cc.length + env.bcc.length === 0) return invalid('no recipients: set to/cc/bcc in the action or default_to in the account');
  const refused = refusedByAllowlist([env.from, ...env.to, ...env.cc, ...env.bcc].flatMap((a) => parseAddresses(a).mailboxes), sender.domain_allowlist);
  if (refused.length > 0) return { ok: false, retry: false, code: 'EGRESS_DENIED', message: `address domain not in the account's domain_allowlist: ${refused.join(', ')}` };
  return env;
}

const invalid = (message: string): Failure => ({ ok: false, retry: false, code: 'INVALID_REQUEST', message });

/** The bare address of a formatted mailbox (`Name <a@b>` → `a@b`). */
export const bareAddress = (mailbox: string): string => parseAddresses(mailbox).mailboxes[0]?.address ?? mailbox;

/**
 * A Message-ID stable across retries and restarts (from the notification's idempotency key), so a
 * receiver, or a human, can spot a duplicate.
 */
export function stableMessageId(idempotencyKey: string, from: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domainOf(bareAddress(from))}>`;
}

/**
 * The message's headers and parts, the same whichever sender composes it (SMTP, SES raw MIME). Bcc is
 * left to the sender: SMTP hands it to nodemailer for the envelope, SES names it in the Destination.
 */
export function messageFields(env: Envelope, r: EmailRequest, attachments: MailAttachment[], idempotencyKey: string) {
  return {
    from: env.from,
    to: env.to,
    cc: env.cc,
    ...(env.replyTo.length > 0 ? { replyTo: env.replyTo } : {}),
    subject: r.subject,
    ...(r.text !== undefined ? { text: r.text } : {}),
    ...(r.html !== undefined ? { html: r.html } : {}),
    attachments,
    messageId: stableMessageId(idempotencyKey, env.from),
  };
}
