/**
 * Generic webhook: any HTTP request, rendered from the watch, with an `Idempotency-Key`
 * header equal across every attempt of one notification (and across restarts) so receivers can
 * deduplicate. A webhook account adds a base URL, secret headers and credentials at delivery.
 */
import { z } from 'zod';
import type { ActionType, ChannelMessage, DeliverDeps, DeliveryResult, RenderedNotification } from '../types.ts';
import { VigilError } from '../../errors.ts';
import { destinationProblems, literalOrigin, proxyTarget, urlDestination } from '../shared/account-destination.ts';
import { responseDetail, send, statusFailure } from '../shared/http-outcome.ts';
import { testDeliverDeps, type TestAccountDeps } from '../shared/test-account.ts';
import { basicAuthorization, buildUrl, contentTypeFor } from '../../request/render.ts';
import { compileWebhook, type WebhookRequest } from './render.ts';
import { webhookAccount, webhookParams, type WebhookAccount, type WebhookParams } from './schema.ts';

/** Every value that must not appear in a message: secret header values and credentials, raw and encoded. */
function secretsOf(req: WebhookRequest, account: WebhookAccount | undefined): string[] {
  const out: string[] = [];
  const basic = (u: string, p: string) => {
    out.push(p, `${u}:${p}`, Buffer.from(`${u}:${p}`).toString('base64'));
  };
  if (req.auth) basic(req.auth.username, req.auth.password);
  if (account?.auth?.type === 'basic') basic(account.auth.username, account.auth.password);
  if (account?.auth?.type === 'bearer') out.push(account.auth.token);
  out.push(...Object.values(account?.headers ?? {}));
  if (account?.url) out.push(account.url);
  return out;
}

async function sendWebhook(req: WebhookRequest, deps: DeliverDeps<WebhookAccount>): Promise<DeliveryResult> {
  const account = deps.account;
  const secrets = secretsOf(req, account);
  let url: string;
  try {
    url = req.url ?? buildUrl(account?.url ?? '', req.path, req.query);
  } catch {
    return { ok: false, retry: false, code: 'INVALID_REQUEST', message: 'webhook has no URL: set request.url or use an account with a url' };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(account?.headers ?? {})) headers[k.toLowerCase()] = v;
  Object.assign(headers, req.headers);
  const auth = req.auth ?? account?.auth;
  if (auth?.type === 'basic') headers.authorization = basicAuthorization(auth);
  else if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
  // Last, so neither the watch nor the account can change the key the receiver deduplicates on.
  headers['idempotency-key'] = deps.idempotencyKey;

  // The account's proxy and trust settings apply to its requests; the action's own may only add to them
  // what the destination rule allows (a client certificate, stricter checks).
  const tls = account?.tls || req.tls ? { ...account?.tls, ...req.tls } : undefined;
  // A stored proxy (resolved by the HTTP client) replaces the account's as an inline one does.
  const proxy = req.proxyId ? undefined : (req.proxy ?? account?.proxy);
  const sent = await send(
    deps.http,
    {
      method: req.method,
      url,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(tls ? { tls } : {}),
      ...(req.connectTimeoutMs !== undefined ? { connectTimeoutMs: req.connectTimeoutMs } : {}),
      ...(req.readTimeoutMs !== undefined ? { readTimeoutMs: req.readTimeoutMs } : {}),
      ...(proxy ? { proxy } : {}),
      ...(req.proxyId ? { proxyId: req.proxyId } : {}),
      signal: deps.signal,
    },
    secrets,
  );
  if ('failure' in sent) return sent.failure;
  const { res } = sent;
  if (res.status >= 200 && res.status < 300) return { ok: true, detail: `HTTP ${res.status}` };
  return statusFailure(res, deps.clock.now(), responseDetail(res, secrets));
}

const destination = (account: WebhookAccount) => urlDestination(account.url, { proxy: account.proxy, tls: account.tls });

/**
 * Load-time checks against the account: a URL to send to, and the destination rule on the action's
 * literal `request.url`, `proxy` and `tls` (a `request.url` whose host or port is templated cannot be
 * judged before it is rendered, so it is refused with an account; the rule is applied again at send).
 */
function checkAccount(params: WebhookParams, account: WebhookAccount): Array<[string, string]> {
  const url = params.request.url;
  if (url === undefined && account.url === undefined) return [['request.url', 'neither the action nor its account gives a url']];
  const problems: Array<[string, string]> = [];
  let origin: string | undefined;
  if (url !== undefined) {
    const literal = literalOrigin(url);
    if (literal === undefined) {
      problems.push(['request.url', 'with an account, the scheme, host and port of request.url must be written out (no template before the path): the account decides where its secrets go']);
    } else if (literal === 'invalid') problems.push(['request.url', 'not an http(s) URL']);
    else origin = literal;
  }
  const target = { url: origin, ...proxyTarget(params.proxy), tls: params.tls };
  for (const [field, why] of destinationProblems(target, destination(account))) problems.push([field === 'url' ? 'request.url' : field, why]);
  return problems;
}

/**
 * A channel message as a webhook request: the message is the body (as the Notifications plugin sends
 * it; the subject is not sent), with the account's method (default POST) to the account's url. Its
 * Content-Type, unless the account sets one among its headers, says JSON when the message parses as
 * JSON and plain text otherwise.
 */
export function formatChannelMessage(msg: ChannelMessage, account: WebhookAccount): RenderedNotification {
  if (account.url === undefined) throw new VigilError('INVALID_REQUEST', 'a webhook account without a url cannot be a channel: give the account a url');
  const typed = Object.keys(account.headers ?? {}).some((k) => k.toLowerCase() === 'content-type');
  const req: WebhookRequest = {
    method: account.method ?? 'POST',
    headers: typed ? {} : { 'content-type': contentTypeFor(msg.message) },
    body: msg.message,
  };
  return { kind: 'fire', request: req, summary: `webhook ${req.method} (account url): ${msg.subject.slice(0, 120)}`, destination: 'webhook' };
}


/** `_test` for a webhook account: POSTs a small JSON test event to the account URL (plus `path`). */
export async function testAccount(account: WebhookAccount, opts: { path?: string }, deps: TestAccountDeps): Promise<DeliveryResult> {
  const key = `vigil-account-test-${deps.clock.now()}`;
  const req: WebhookRequest = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vigil: 'account test', sent_at: new Date(deps.clock.now()).toISOString() }),
    ...(opts.path ? { path: opts.path } : {}),
  };
  return sendWebhook(req, testDeliverDeps(account, deps, key));
}

export const webhookAction: ActionType<WebhookParams, WebhookAccount> = {
  type: 'webhook',
  params: webhookParams,
  account: {
    ...webhookAccount,
    required: false,
    destination,
    test: { body: z.strictObject({ path: z.string().max(2048).optional() }), run: testAccount },
  },
  compile: compileWebhook,
  channel: { format: formatChannelMessage },
  checkAccount,
  deliver: (n, deps) => sendWebhook(n.request as WebhookRequest, deps),
  conformance: {
    params: () => ({ request: { path: '/hook', body: '{"x":"{{data.x}}"}' } }),
    account: {
      example: (base) => ({ url: base, headers: { 'x-api-key': 'confHookSecretHH3377' }, auth: { type: 'basic', username: 'svc', password: 'confHookPassPP1122' } }),
      secrets: ['confHookSecretHH3377', 'confHookPassPP1122', Buffer.from('svc:confHookPassPP1122').toString('base64')],
    },
    overHttp: true,
  },
};
