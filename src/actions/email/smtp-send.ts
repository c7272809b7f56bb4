/**
 * Sending through an SMTP (`email`) account: the envelope (envelope.ts), `request` attachments fetched,
 * the SMTP server and SOCKS proxy judged by the egress policy, then the account's transport (pooled for
 * deliveries, one of its own for a test). Every failure becomes a classified DeliveryResult whose
 * message has been scrubbed of the account's secrets.
 */
import { HttpError } from '../../net/types.ts';
import type { DeliveryResult } from '../types.ts';
import { endpointOf, type EmailAccount } from './account.ts';
import { formatMailbox, parseAddresses } from './addresses.ts';
import { resolveAttachments } from './attachments.ts';
import { classifyEmailError, type EmailFailure } from './classify.ts';
import type { SendContext } from './context.ts';
import { buildEnvelope, messageFields } from './envelope.ts';
import { secretScrubber } from './redact.ts';
import type { EmailRequest } from './request.ts';
import type { EmailTransport } from './transport.ts';

export interface SmtpContext extends SendContext {
  transport(): Promise<EmailTransport>;
  /** Called when the failure suggests the cached transport is stale (a pinned certificate changed). */
  onTlsFailure(): void;
}

export async function sendSmtp(request: EmailRequest, account: EmailAccount, ctx: SmtpContext): Promise<DeliveryResult> {
  const scrub = secretScrubber([account.password, account.proxy_password], account.user);
  const scrubbed = (f: EmailFailure): EmailFailure => ({ ...f, message: scrub(f.message) });

  const defaultFrom = parseAddresses(account.default_from ?? []).mailboxes.map(formatMailbox)[0] ?? (account.user?.includes('@') ? account.user : '');
  const envelope = await buildEnvelope(request, { ...account, defaultFrom }, ctx.groups);
  if ('ok' in envelope) return envelope;

  let attachments: Awaited<ReturnType<typeof resolveAttachments>> = [];
  if (request.attachments.length > 0) {
    attachments = await resolveAttachments(request.attachments, ctx.attachmentHttp, ctx.signal);
    if (!Array.isArray(attachments)) return scrubbed(attachments);
  }

  const denied = await egressDenied(account, ctx);
  if (denied) return denied;

  try {
    const transport = await ctx.transport();
    const info = await transport.sendMail({
      ...messageFields(envelope, request, attachments, ctx.idempotencyKey),
      bcc: envelope.bcc,
      signal: ctx.signal,
    });
    const rejected = (info.rejected ?? []).map(String);
    const response = scrub(String(info.response ?? ''));
    return {
      ok: true,
      detail: rejected.length > 0 ? `${response} (refused recipients: ${rejected.join(', ')})` : response,
      response: { messageId: info.messageId, accepted: (info.accepted ?? []).map(String), rejected, response },
    };
  } catch (e) {
    const failure = scrubbed(classifyEmailError(e));
    if (failure.code === 'SMTP_TLS') ctx.onTlsFailure();
    ctx.logger.debug({ code: failure.code, retry: failure.retry }, `email send failed: ${failure.message}`);
    return failure;
  }
}

/** The SMTP server and the SOCKS proxy, each judged by the egress policy before any connection. */
async function egressDenied(account: EmailAccount, ctx: SendContext): Promise<DeliveryResult | null> {
  const ep = endpointOf(account);
  const targets: Array<[string, number]> = [[ep.host, ep.port]];
  if (account.proxy_host !== undefined) targets.push([account.proxy_host, account.proxy_port ?? 1080]);
  try {
    for (const [host, port] of targets) await ctx.egress.checkHost(host, port);
    return null;
  } catch (e) {
    if (e instanceof HttpError && e.kind === 'egress_denied') return { ok: false, retry: false, code: 'EGRESS_DENIED', message: e.message };
    // A name that does not resolve: as retryable as nodemailer's own EDNS would be.
    return { ok: false, retry: true, code: 'SMTP_CONNECTION', message: `cannot resolve the SMTP or proxy host: ${(e as Error).message}` };
  }
}
