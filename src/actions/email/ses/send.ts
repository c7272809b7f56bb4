/**
 * Sending through an `ses` account: SES v2 `SendEmail` with raw content — the MIME message built by
 * nodemailer's composer, exactly as the SMTP path would put it on the wire (text and HTML parts,
 * attachments, encoded headers, the stable Message-ID) — and the recipients in `Destination`, so Bcc
 * stays out of the headers. SES takes at most 50 recipients per message: more are sent as several
 * messages with the same headers (a retry after a partial failure sends the first ones again, as
 * at-least-once allows).
 */
import { domainToASCII } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer';
import { AwsCredentialProvider } from '../../../net/aws/credentials.ts';
import { jsonError } from '../../../net/aws/errors.ts';
import { serviceEndpoint } from '../../shared/aws-account.ts';
import { awsSend } from '../../shared/aws-outcome.ts';
import type { DeliveryResult } from '../../types.ts';
import { formatMailbox, parseAddresses } from '../addresses.ts';
import { resolveAttachments } from '../attachments.ts';
import type { SendContext } from '../context.ts';
import { bareAddress, buildEnvelope, messageFields, type Envelope } from '../envelope.ts';
import type { EmailRequest } from '../request.ts';
import type { SesAccount } from './account.ts';

/** Recipients SES takes per message. */
export const SES_MAX_RECIPIENTS = 50;

/** Temporary credentials of the SES accounts that assume a role. */
export const sesCredentials = new AwsCredentialProvider();

/** An address as SES's Destination takes it: bare, the domain in ASCII (IDNA). */
function destinationAddress(mailbox: string): string {
  const a = bareAddress(mailbox);
  const at = a.lastIndexOf('@');
  return `${a.slice(0, at)}@${domainToASCII(a.slice(at + 1)) || a.slice(at + 1)}`;
}

/** The envelope's recipients in messages of at most 50, each field kept apart. */
function batches(env: Envelope): Array<{ to: string[]; cc: string[]; bcc: string[] }> {
  const all = [...env.to.map((a) => ['to', a] as const), ...env.cc.map((a) => ['cc', a] as const), ...env.bcc.map((a) => ['bcc', a] as const)];
  const out: Array<{ to: string[]; cc: string[]; bcc: string[] }> = [];
  for (let i = 0; i < all.length; i += SES_MAX_RECIPIENTS) {
    const b = { to: [] as string[], cc: [] as string[], bcc: [] as string[] };
    for (const [field, a] of all.slice(i, i + SES_MAX_RECIPIENTS)) b[field].push(destinationAddress(a));
    out.push(b);
  }
  return out;
}

export async function sendSes(request: EmailRequest, account: SesAccount, ctx: SendContext): Promise<DeliveryResult> {
  const defaultFrom = account.from !== undefined ? (parseAddresses(account.from).mailboxes.map(formatMailbox)[0] ?? '') : '';
  const env = await buildEnvelope(request, { ...account, defaultFrom }, ctx.groups);
  if ('ok' in env) return env;
  const attachments = await resolveAttachments(request.attachments, ctx.attachmentHttp, ctx.signal);
  if (!Array.isArray(attachments)) return attachments;

  const mime = await new MailComposer({
    ...messageFields(env, request, attachments, ctx.idempotencyKey),
    date: new Date(ctx.clock.now()),
    // Content comes from the notification only: never a file or URL the composer would fetch itself.
    disableFileAccess: true,
    disableUrlAccess: true,
  })
    .compile()
    .build();

  const url = `${serviceEndpoint(account, 'email').replace(/\/+$/, '')}/v2/email/outbound-emails`;
  const ids: string[] = [];
  for (const b of batches(env)) {
    const body = {
      FromEmailAddress: destinationAddress(env.from),
      Destination: { ToAddresses: b.to, CcAddresses: b.cc, BccAddresses: b.bcc },
      Content: { Raw: { Data: mime.toString('base64') } },
      ...(account.configuration_set !== undefined ? { ConfigurationSetName: account.configuration_set } : {}),
    };
    const sent = await awsSend(
      { service: 'SES', signingName: 'ses', request: { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: ctx.signal }, readError: jsonError },
      account,
      sesCredentials,
      ctx,
    );
    if ('failure' in sent) return ids.length > 0 ? { ...sent.failure, message: `${sent.failure.message} (${ids.length} of the messages had been sent)` } : sent.failure;
    let id: unknown;
    try {
      id = (JSON.parse(sent.res.body) as { MessageId?: unknown }).MessageId;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string') return { ok: false, retry: false, code: 'UNEXPECTED_RESPONSE', message: `SES ${sent.res.status}: the answer names no MessageId` };
    ids.push(id);
  }
  return { ok: true, detail: `sent ${ids.join(', ')}`, response: { MessageIds: ids } };
}
