/**
 * Sending through an `exchange` account: a client-credentials token from the identity platform (cached
 * until shortly before it expires), then Graph's `sendMail` for the account's mailbox. A 401 means the
 * token was revoked or is stale: it is dropped and the mail sent once more with a new one; a second
 * 401 is AUTH_FAILED. Graph's throttling (429 with Retry-After) and 5xx go back to the outbox's retry.
 * Graph takes one body: the HTML part when there is one, else the text. A custom `X-Vigil-Delivery`
 * header, stable across retries, lets a duplicate be spotted (Graph has no idempotency key).
 */
import { createHash } from 'node:crypto';
import { ClientCredentialsTokens, OAuthError, type AccessToken, type ClientCredentials } from '../../../net/oauth.ts';
import type { HttpResponse } from '../../../net/types.ts';
import type { DeliveryResult } from '../../types.ts';
import { parseRetryAfter } from '../../shared/classify.ts';
import { requestFailure, responseDetail, send, statusFailure, type Failure } from '../../shared/http-outcome.ts';
import { scrub } from '../../shared/redact.ts';
import { formatMailbox, parseAddresses } from '../addresses.ts';
import { resolveAttachments, type MailAttachment } from '../attachments.ts';
import type { SendContext } from '../context.ts';
import { bareAddress, buildEnvelope } from '../envelope.ts';
import type { EmailRequest } from '../request.ts';
import { authorityOf, graphOf, type ExchangeAccount } from './account.ts';

/** Access tokens of every exchange account. */
export const exchangeTokens = new ClientCredentialsTokens();

export function credentialsOf(a: ExchangeAccount): ClientCredentials {
  return {
    tokenUrl: `${authorityOf(a)}/${encodeURIComponent(a.tenant_id)}/oauth2/v2.0/token`,
    clientId: a.client_id,
    clientSecret: a.client_secret,
    scope: `${graphOf(a)}/.default`,
  };
}

const recipients = (list: readonly string[]) =>
  list.flatMap((a) => parseAddresses(a).mailboxes).map((m) => ({ emailAddress: { address: m.address, ...(m.name ? { name: m.name } : {}) } }));

function attachmentOf(a: MailAttachment): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: a.filename,
    contentType: a.contentType ?? 'application/octet-stream',
    contentBytes: Buffer.from(a.content).toString('base64'),
  };
}

/** A token request that failed, classified: the identity platform refusing the credentials is final. */
function tokenFailure(e: unknown, secrets: ReadonlyArray<string | undefined>): Failure {
  if (!(e instanceof OAuthError)) return requestFailure(e, secrets);
  const message = scrub(e.message, secrets);
  if (e.status === 429 || e.status >= 500) return { ok: false, retry: true, code: e.status === 429 ? 'HTTP_429' : 'HTTP_5XX', message };
  return { ok: false, retry: false, code: 'AUTH_FAILED', message };
}

/** Graph's error code, for messages: `{"error":{"code","message"}}`. */
function graphDetail(res: HttpResponse, secrets: ReadonlyArray<string | undefined>): string {
  try {
    const e = (JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (e && typeof e.code === 'string') return scrub(`${e.code}${typeof e.message === 'string' && e.message ? `: ${e.message}` : ''}`, secrets);
  } catch {
    // Not Graph's JSON.
  }
  return responseDetail(res, secrets);
}

export async function sendExchange(request: EmailRequest, account: ExchangeAccount, ctx: SendContext): Promise<DeliveryResult> {
  const mailbox = parseAddresses(account.from).mailboxes.map(formatMailbox)[0] ?? account.from;
  const env = await buildEnvelope(request, { ...account, defaultFrom: mailbox }, ctx.groups);
  if ('ok' in env) return env;
  // Graph sends as the mailbox; sending as another address needs rights Vigil does not assume.
  if (bareAddress(env.from).toLowerCase() !== bareAddress(mailbox).toLowerCase()) {
    return { ok: false, retry: false, code: 'INVALID_REQUEST', message: `an exchange account sends from its mailbox ${bareAddress(mailbox)}, not ${bareAddress(env.from)}` };
  }
  const attachments = await resolveAttachments(request.attachments, ctx.attachmentHttp, ctx.signal);
  if (!Array.isArray(attachments)) return attachments;

  const message: Record<string, unknown> = {
    subject: request.subject,
    body: request.html !== undefined ? { contentType: 'HTML', content: request.html } : { contentType: 'Text', content: request.text ?? '' },
    toRecipients: recipients(env.to),
    ccRecipients: recipients(env.cc),
    bccRecipients: recipients(env.bcc),
    ...(env.replyTo.length > 0 ? { replyTo: recipients(env.replyTo) } : {}),
    ...(attachments.length > 0 ? { attachments: attachments.map(attachmentOf) } : {}),
    internetMessageHeaders: [{ name: 'X-Vigil-Delivery', value: createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 32) }],
  };
  const body = JSON.stringify({ message, saveToSentItems: account.save_to_sent_items ?? true });
  const cc = credentialsOf(account);
  const secrets = [account.client_secret];
  const url = `${graphOf(account)}/v1.0/users/${encodeURIComponent(bareAddress(mailbox))}/sendMail`;

  for (let attempt = 1; ; attempt++) {
    let token: AccessToken;
    try {
      token = await exchangeTokens.get(cc, ctx);
    } catch (e) {
      return tokenFailure(e, secrets);
    }
    const tokenSecrets = [...secrets, token.token];
    const sent = await send(
      ctx.http,
      { method: 'POST', url, headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' }, body, signal: ctx.signal, maxResponseBytes: 64 * 1024 },
      tokenSecrets,
    );
    if ('failure' in sent) return sent.failure;
    const { res } = sent;
    if (res.status === 202 || (res.status >= 200 && res.status < 300)) return { ok: true, detail: `accepted by Graph for ${bareAddress(mailbox)}` };
    const detail = graphDetail(res, tokenSecrets);
    if (res.status === 401) {
      exchangeTokens.invalidate(cc, token);
      if (attempt === 1) continue;
      return { ok: false, retry: false, code: 'AUTH_FAILED', message: `HTTP 401: ${detail}` };
    }
    if (res.status === 403) return { ok: false, retry: false, code: 'AUTH_FAILED', message: `HTTP 403: ${detail}` };
    const f = statusFailure(res, ctx.clock.now(), detail);
    // Graph's 503 and 504 may carry Retry-After too.
    const after = parseRetryAfter(res.headers['retry-after'], ctx.clock.now());
    return !f.ok && f.retry && after !== undefined ? { ...f, retryAfterMs: after } : f;
  }
}
