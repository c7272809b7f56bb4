/**
 * Generic webhook (SPEC §1.6): any HTTP request, rendered from the watch, with an `Idempotency-Key`
 * header equal across every attempt of one notification (and across restarts) so receivers can
 * deduplicate. A webhook account adds a base URL, secret headers and credentials at delivery.
 */
import type { ActionType, DeliverDeps, DeliveryResult } from '../types.ts';
import { responseDetail, send, statusFailure } from '../shared/http-outcome.ts';
import { testDeliverDeps, type TestAccountDeps } from '../shared/test-account.ts';
import { buildUrl, compileWebhook, type WebhookRequest } from './render.ts';
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
  if (auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  else if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
  // Last, so neither the watch nor the account can change the key the receiver deduplicates on.
  headers['idempotency-key'] = deps.idempotencyKey;

  const sent = await send(
    deps.http,
    {
      method: req.method,
      url,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.tls ? { tls: req.tls } : {}),
      ...(req.connectTimeoutMs !== undefined ? { connectTimeoutMs: req.connectTimeoutMs } : {}),
      ...(req.readTimeoutMs !== undefined ? { readTimeoutMs: req.readTimeoutMs } : {}),
      ...(req.proxy ? { proxy: req.proxy } : {}),
      signal: deps.signal,
    },
    secrets,
  );
  if ('failure' in sent) return sent.failure;
  const { res } = sent;
  if (res.status >= 200 && res.status < 300) return { ok: true, detail: `HTTP ${res.status}` };
  return statusFailure(res, deps.clock.now(), responseDetail(res, secrets));
}

export const webhookAction: ActionType<WebhookParams, WebhookAccount> = {
  type: 'webhook',
  params: webhookParams,
  account: { schema: webhookAccount, secretFields: ['headers.*', 'auth'], required: false },
  compile: compileWebhook,
  checkAccount(params, account) {
    return params.request.url === undefined && account.url === undefined ? [['request.url', 'neither the action nor its account gives a url']] : [];
  },
  deliver: (n, deps) => sendWebhook(n.request as WebhookRequest, deps),
};

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
