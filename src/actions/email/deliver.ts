/**
 * deliver(n, deps): joins the rendered request with the account (defaults, credentials), enforces the
 * domain allowlist on the final addresses, fetches `request` attachments and sends through the account's
 * pooled transport. Never throws for remote failures: every failure becomes a classified DeliveryResult
 * whose message has been scrubbed of the account's secrets.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { HttpError, type HttpClient } from '../../net/types.ts';
import type { HostCheck } from '../../net/host-check.ts';
import type { DeliverDeps, DeliveryResult, RenderedNotification, TestAccountDeps } from '../types.ts';
import { endpointOf, type EmailAccount } from './account.ts';
import { domainOf, formatMailbox, parseAddresses, refusedByAllowlist, type AddressInput } from './addresses.ts';
import { resolveAttachments } from './attachments.ts';
import { classifyEmailError, type EmailFailure } from './classify.ts';
import { secretScrubber } from './redact.ts';
import { asEmailRequest, type EmailRequest } from './request.ts';
import { acquireTransport, buildTransport, evictTransport, type EmailTransport } from './transport.ts';

/** What the send path needs; `deliver` and `testAccount` both build one. */
interface SendContext {
  account: EmailAccount;
  http: HttpClient;
  logger: Logger;
  signal: AbortSignal;
  idempotencyKey: string;
  transport(): Promise<EmailTransport>;
  /** The daemon's egress policy for the SMTP server and the SOCKS proxy. */
  egress: HostCheck;
  /** Called when the failure suggests the cached transport is stale (a pinned certificate changed). */
  onTlsFailure(): void;
}

export async function deliverEmail(n: RenderedNotification, deps: DeliverDeps<EmailAccount>): Promise<DeliveryResult> {
  const account = deps.account;
  if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'the email action needs an email account' };
  const request = asEmailRequest(n.request);
  if (!request) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: 'not an email request' };
  const accountId = deps.accountId ?? 'default';
  return send(request, {
    account,
    http: deps.http,
    logger: deps.logger,
    signal: deps.signal,
    idempotencyKey: deps.idempotencyKey,
    transport: () => acquireTransport(accountId, account, deps.logger),
    egress: deps.egress,
    onTlsFailure: () => evictTransport(accountId),
  });
}

/** Input of the account test endpoint (`POST /_signals/account/email/{id}/_test`). */
export interface TestAccountInput {
  /** Recipients; default the account's default_to. */
  to?: string | string[];
}

/**
 * Sends a real test message through the same code path as `deliver` (same options builder, same
 * classification), over a transport of its own that is closed afterwards, so testing an edited account
 * never disturbs the pooled transport of the saved one. Returns the server's reply or the classified error.
 */
export async function testAccount(account: EmailAccount, input: TestAccountInput, deps: TestAccountDeps): Promise<DeliveryResult> {
  let built: Promise<EmailTransport> | undefined;
  const request: EmailRequest = {
    to: input.to === undefined ? [] : typeof input.to === 'string' ? [input.to] : input.to,
    cc: [],
    bcc: [],
    from: '',
    reply_to: [],
    subject: 'Vigil test message',
    text: 'This is a test message sent by Vigil to check an email account.',
    attachments: [],
  };
  try {
    return await send(request, {
      account,
      http: deps.http,
      logger: deps.logger,
      signal: deps.signal,
      idempotencyKey: `account-test-${deps.clock.now()}`,
      transport: () => (built ??= buildTransport(account, deps.logger)),
      egress: deps.egress,
      onTlsFailure: () => undefined,
    });
  } finally {
    if (built) await built.then((t) => t.close(), () => undefined);
  }
}

async function send(request: EmailRequest, ctx: SendContext): Promise<DeliveryResult> {
  const { account } = ctx;
  const scrub = secretScrubber([account.password, account.proxy_password], account.user);
  const scrubbed = (f: EmailFailure): EmailFailure => ({ ...f, message: scrub(f.message) });

  const envelope = withDefaults(request, account);
  if (typeof envelope === 'string') return { ok: false, retry: false, code: 'INVALID_REQUEST', message: envelope };
  const refused = refusedByAllowlist(
    [envelope.from, ...envelope.to, ...envelope.cc, ...envelope.bcc].flatMap((a) => parseAddresses(a).mailboxes),
    account.domain_allowlist,
  );
  if (refused.length > 0) {
    return { ok: false, retry: false, code: 'EGRESS_DENIED', message: `address domain not in the account's domain_allowlist: ${refused.join(', ')}` };
  }

  let attachments: Awaited<ReturnType<typeof resolveAttachments>> = [];
  if (request.attachments.length > 0) {
    attachments = await resolveAttachments(request.attachments, ctx.http, ctx.signal);
    if (!Array.isArray(attachments)) return scrubbed(attachments);
  }

  const denied = await egressDenied(ctx);
  if (denied) return denied;

  try {
    const transport = await ctx.transport();
    const info = await transport.sendMail({
      from: envelope.from,
      to: envelope.to,
      cc: envelope.cc,
      bcc: envelope.bcc,
      ...(envelope.replyTo.length > 0 ? { replyTo: envelope.replyTo } : {}),
      subject: request.subject,
      ...(request.text !== undefined ? { text: request.text } : {}),
      ...(request.html !== undefined ? { html: request.html } : {}),
      attachments,
      // Stable across retries and restarts: a receiver (or a human) can spot a duplicate by it.
      messageId: `<${createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 32)}@${domainOf(parseAddresses(envelope.from).mailboxes[0]!.address)}>`,
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
async function egressDenied(ctx: SendContext): Promise<DeliveryResult | null> {
  const ep = endpointOf(ctx.account);
  const targets: Array<[string, number]> = [[ep.host, ep.port]];
  if (ctx.account.proxy_host !== undefined) targets.push([ctx.account.proxy_host, ctx.account.proxy_port ?? 1080]);
  try {
    for (const [host, port] of targets) await ctx.egress.checkHost(host, port);
    return null;
  } catch (e) {
    if (e instanceof HttpError && e.kind === 'egress_denied') return { ok: false, retry: false, code: 'EGRESS_DENIED', message: e.message };
    // A name that does not resolve: as retryable as nodemailer's own EDNS would be.
    return { ok: false, retry: true, code: 'SMTP_CONNECTION', message: `cannot resolve the SMTP or proxy host: ${(e as Error).message}` };
  }
}

interface Envelope {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
}

/** Action values first, account defaults where the action has none (per field, as Signals does). */
function withDefaults(r: EmailRequest, a: EmailAccount): Envelope | string {
  const fallback = (value: string[], def: AddressInput | undefined): string[] =>
    value.length > 0 ? value : def === undefined ? [] : parseAddresses(def).mailboxes.map(formatMailbox);
  const from = r.from !== '' ? r.from : fallback([], a.default_from)[0] ?? (a.user?.includes('@') ? a.user : '');
  if (from === '') return 'no from address: set from in the action or default_from in the account';
  const env: Envelope = {
    from,
    to: fallback(r.to, a.default_to),
    cc: fallback(r.cc, a.default_cc),
    bcc: fallback(r.bcc, a.default_bcc),
    replyTo: r.reply_to,
  };
  if (env.to.length + env.cc.length + env.bcc.length === 0) {
    return 'no recipients: set to/cc/bcc in the action or default_to in the account';
  }
  return env;
}
