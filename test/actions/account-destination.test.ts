/**
 * An account's secrets go only to the account's own destination: the pure rule, the load-time check of
 * a webhook action's literal fields, and the send-time check on the final request, with real receivers
 * on 127.0.0.1 proving that the secrets never reach another origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountHttp, destinationProblems, literalOrigin, urlDestination } from '../../src/actions/shared/account-destination.ts';
import { webhookAction } from '../../src/actions/webhook/index.ts';
import type { WebhookAccount, WebhookParams } from '../../src/actions/webhook/schema.ts';
import type { HttpClient } from '../../src/net/types.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { createTestHttpClient } from '../kit/undici-http.ts';
import { templateEnv } from '../kit/template-env.ts';
import { deliverDeps, renderInfo, view } from '../kit/action-deps.ts';

const API_KEY = 'acct-dest-ApiKey-7Q2W';
const PASSWORD = 'acct-dest-Passw0rd-9X';

let owner: WebhookReceiver;
let other: WebhookReceiver;
let http: HttpClient;
beforeAll(async () => {
  owner = await startWebhookReceiver();
  other = await startWebhookReceiver();
  http = createTestHttpClient({ readTimeoutMs: 500 });
});
afterAll(async () => {
  await http.close();
  await owner.close();
  await other.close();
});

const params = (p: unknown) => webhookAction.params.parse(p) as WebhookParams;
const account = (): WebhookAccount => ({ url: `${owner.url}/base`, headers: { 'x-api-key': API_KEY }, auth: { type: 'basic', username: 'svc', password: PASSWORD } });
const secretIn = (r: { headers: Record<string, string>; body: string; url: string }) => JSON.stringify(r).includes(API_KEY) || JSON.stringify(r).includes(Buffer.from(`svc:${PASSWORD}`).toString('base64'));

/** Renders and delivers a webhook action with the client a delivery gets (pinned to the account). */
async function deliver(p: unknown, acc: WebhookAccount, data: Record<string, unknown> = {}) {
  const n = webhookAction.compile(params(p), templateEnv()).render(view(data), renderInfo());
  const d = deliverDeps(accountHttp(webhookAction, acc, http), acc);
  const result = await webhookAction.deliver(n, d.deps);
  return { result, text: JSON.stringify(result) + d.logText() };
}

describe('the destination rule', () => {
  const dest = urlDestination('https://hooks.example.com:8443/base?x=1');

  it('allows the account origin whatever the path and query; refuses any other scheme, host or port', () => {
    expect(destinationProblems({ url: 'https://hooks.example.com:8443/other/path?q=2#f' }, dest)).toEqual([]);
    expect(destinationProblems({ url: 'https://user:pw@hooks.example.com:8443/' }, dest)).toEqual([]);
    for (const url of ['http://hooks.example.com:8443/base', 'https://hooks.example.com/base', 'https://evil.example/base', 'https://hooks.example.com:8443.evil.example/', 'https://hooks.example.com:8443@evil.example/']) {
      expect(destinationProblems({ url }, dest).map(([f]) => f), url).toEqual(['url']);
    }
    expect(destinationProblems({ url: 'ftp://hooks.example.com:8443/' }, dest)).toEqual([['url', 'not an http(s) URL']]);
    expect(destinationProblems({ url: 'https://hooks.example.com:8443/' }, urlDestination(undefined))[0]![0]).toBe('url');
  });

  it('refuses a proxy or weaker certificate checks unless the account itself sets them', () => {
    const req = { proxy: 'http://proxy.example:3128', tls: { trust_all: true, verify_hostnames: false, trusted_certs: 'PEM' } };
    expect(destinationProblems(req, dest).map(([f]) => f)).toEqual(['proxy', 'tls.trust_all', 'tls.verify_hostnames', 'tls.trusted_certs']);
    expect(destinationProblems(req, { ...dest, proxy: 'http://proxy.example:3128', tls: { trust_all: true, verify_hostnames: false, trusted_certs: 'PEM' } })).toEqual([]);
    // Stricter than the account is always fine, and so is a client certificate.
    expect(destinationProblems({ tls: { trust_all: false, verify_hostnames: true, client_auth: { certs: 'c', private_key: 'k' } } }, { ...dest, tls: { trust_all: true } })).toEqual([]);
  });

  it('knows a template URL\'s origin only when scheme, host and port are written out', () => {
    expect(literalOrigin('https://hooks.example.com:8443/x/{{watch.id}}?a={{b}}')).toBe('https://hooks.example.com:8443');
    expect(literalOrigin('https://hooks.example.com')).toBe('https://hooks.example.com');
    expect(literalOrigin('https://hooks.example.com?{{q}}')).toBe('https://hooks.example.com');
    for (const t of ['https://{{data.host}}/x', 'https://hooks.example.com{{data.rest}}', 'https://hooks.example.com:{{data.port}}/', '{{data.url}}', 'https://{{u}}@hooks.example.com/']) {
      expect(literalOrigin(t), t).toBeUndefined();
    }
    expect(literalOrigin('not a url')).toBe('invalid');
  });
});

describe('webhook with an account: load-time check', () => {
  const check = (p: unknown, acc: WebhookAccount = account()) => webhookAction.checkAccount!(params(p), acc).map(([f]) => f);

  it('lets the action add a path and query, or name the account\'s own origin', () => {
    expect(check({ request: { path: '/x/{{watch.id}}', query_params: { a: '{{data.a}}' } } })).toEqual([]);
    expect(check({ request: { url: `${owner.url}/elsewhere/{{watch.id}}` } })).toEqual([]);
  });

  it('refuses another origin, a templated host, a proxy and weaker TLS, each at its field', () => {
    expect(check({ request: { url: `${other.url}/collect` } })).toEqual(['request.url']);
    expect(check({ request: { url: 'http://{{data.host}}/collect' } })).toEqual(['request.url']);
    expect(check({ request: { path: '/x' }, proxy: other.url })).toEqual(['proxy']);
    expect(check({ request: { path: '/x' }, tls: { trust_all: true } })).toEqual(['tls.trust_all']);
    expect(check({ request: { path: '/x' }, tls: { verify_hostnames: false } })).toEqual(['tls.verify_hostnames']);
    expect(check({ request: { url: 'https://x.example/' } }, { headers: { 'x-api-key': API_KEY } })).toEqual(['request.url']);
    // The account may configure them itself.
    expect(check({ request: { path: '/x' }, proxy: other.url, tls: { trust_all: true } }, { ...account(), proxy: other.url, tls: { trust_all: true } })).toEqual([]);
  });
});

describe('webhook account proxy and tls', () => {
  it('are the account\'s to set: applied to its requests, and a proxy URL with credentials is refused (stored in clear)', async () => {
    const seen: Array<{ url: string; proxy?: string; tls?: unknown }> = [];
    const capture: HttpClient = { request: async (r) => (seen.push(r), { status: 200, headers: {}, body: '', truncated: false }), close: async () => {} };
    const acc: WebhookAccount = { ...account(), proxy: 'http://proxy.internal:3128', tls: { trusted_certs: 'CA-PEM', verify_hostnames: false } };
    expect(webhookAction.account!.schema.safeParse(acc).success).toBe(true);
    expect(webhookAction.account!.schema.safeParse({ ...acc, proxy: 'http://u:p@proxy.internal:3128' }).success).toBe(false);
    const n = webhookAction.compile(params({ request: { path: '/p' }, tls: { client_auth: { certs: 'C', private_key: 'K' } } }), templateEnv()).render(view(), renderInfo());
    const r = await webhookAction.deliver(n, deliverDeps(accountHttp(webhookAction, acc, capture), acc).deps);
    expect(r).toMatchObject({ ok: true });
    expect(seen[0]).toMatchObject({ url: `${owner.url}/base/p`, proxy: 'http://proxy.internal:3128', tls: { trusted_certs: 'CA-PEM', verify_hostnames: false, client_auth: { certs: 'C', private_key: 'K' } } });
  });
});

describe('webhook with an account: send-time check on the final request', () => {
  it('a rendered URL pointing elsewhere fails for good, and the other origin receives nothing', async () => {
    const before = { owner: owner.requests.length, other: other.requests.length };
    const { result, text } = await deliver({ request: { url: '{{data.target}}/collect', body: '{"a":1}' } }, account(), { target: other.url });
    expect(result).toMatchObject({ ok: false, retry: false, code: 'ACCOUNT_DESTINATION_DENIED' });
    expect(other.requests.length).toBe(before.other);
    expect(owner.requests.length).toBe(before.owner);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(PASSWORD);
  });

  it('an action-level proxy or trust_all never gets the secrets either', async () => {
    const before = other.requests.length;
    expect((await deliver({ request: { path: '/p' }, proxy: other.url }, account())).result).toMatchObject({ ok: false, code: 'ACCOUNT_DESTINATION_DENIED' });
    expect((await deliver({ request: { path: '/p' }, tls: { trust_all: true } }, account())).result).toMatchObject({ ok: false, code: 'ACCOUNT_DESTINATION_DENIED' });
    expect(other.requests.length).toBe(before);
  });

  it('the account\'s own origin gets the request with its secrets; a webhook without account is not pinned', async () => {
    const before = owner.requests.length;
    expect((await deliver({ request: { path: '/ok' } }, account())).result).toMatchObject({ ok: true });
    const got = owner.requests[before]!;
    expect(got.url).toBe('/base/ok');
    expect(secretIn(got)).toBe(true);
    const n = webhookAction.compile(params({ request: { url: `${other.url}/free` } }), templateEnv()).render(view(), renderInfo());
    expect(accountHttp(webhookAction, undefined, http)).toBe(http);
    expect((await webhookAction.deliver(n, deliverDeps(accountHttp(webhookAction, undefined, http), undefined).deps)).ok).toBe(true);
    expect(other.requests.some((r) => secretIn(r))).toBe(false);
  });
});
