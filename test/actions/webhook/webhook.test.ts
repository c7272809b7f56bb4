import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookAction, testAccount } from '../../../src/actions/webhook/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../kit/receivers/webhook.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import type { HttpClient } from '../../../src/net/types.ts';
import type { WebhookAccount } from '../../../src/actions/webhook/schema.ts';
import { VigilError } from '../../../src/errors.ts';

const API_KEY = 'whk_live_SecretHeaderValue42';
let hook: WebhookReceiver;
let guarded: WebhookReceiver;
let http: HttpClient;
beforeAll(async () => {
  hook = await startWebhookReceiver();
  guarded = await startWebhookReceiver({ requireHeader: ['x-api-key', API_KEY] });
  http = createTestHttpClient({ readTimeoutMs: 300 });
});
afterAll(async () => {
  await http.close();
  await hook.close();
  await guarded.close();
});

const compile = (params: unknown) => webhookAction.compile(webhookAction.params.parse(params) as any, templateEnv());

describe('webhook action', () => {
  it('sends the exact request with a JSON body, query params and an Idempotency-Key', async () => {
    const n = compile({
      request: { url: `${hook.url}/hooks/{{watch.id}}`, query_params: { sev: '{{severity.level.id}}' }, headers: { 'X-Source': 'vigil' }, body: '{"text":"{{data.msg}}","n":{{data.n}}}' },
    }).render(view({ msg: 'hi', n: 3 }), renderInfo());
    expect(n.request).toEqual({
      method: 'POST',
      url: `${hook.url}/hooks/w1?sev=error`,
      headers: { 'x-source': 'vigil', 'content-type': 'application/json' },
      body: '{"text":"hi","n":3}',
    });
    expect(n.destination).toBe(`webhook:${hook.url}`);
    const before = hook.requests.length;
    const { deps } = deliverDeps(http, undefined, { idempotencyKey: 'idem-exact-1' });
    expect(await webhookAction.deliver(n, deps)).toEqual({ ok: true, detail: 'HTTP 200' });
    const got = hook.requests[before]!;
    expect(got.url).toBe('/hooks/w1?sev=error');
    expect(got.headers['idempotency-key']).toBe('idem-exact-1');
    expect(got.headers['x-source']).toBe('vigil');
    expect(got.json).toEqual({ text: 'hi', n: 3 });
  });

  it('500, 502, 503, 504 then 200: retried, the same Idempotency-Key every time, processed once', async () => {
    const n = compile({ request: { url: `${hook.url}/retry`, body: '{"a":1}' } }).render(view(), renderInfo());
    hook.fault({ status: 500 }, { status: 502 }, { status: 503, headers: { 'retry-after': '2' } }, { status: 504 });
    const results = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      results.push(await webhookAction.deliver(n, deliverDeps(http, undefined, { idempotencyKey: 'idem-retry-1', attempt }).deps));
    }
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false, true]);
    expect(results.slice(0, 4).every((r) => !r.ok && r.retry)).toBe(true);
    expect(results[2]).toMatchObject({ retryAfterMs: 2000 });
    const attempts = hook.requests.filter((q) => q.url === '/retry');
    expect(attempts).toHaveLength(5);
    expect(new Set(attempts.map((q) => q.headers['idempotency-key']))).toEqual(new Set(['idem-retry-1']));
    expect(hook.deliveries().filter((q) => q.url === '/retry')).toHaveLength(1);
  });

  it('429 with Retry-After is retried after that delay', async () => {
    hook.fault({ status: 429, headers: { 'retry-after': '7' } });
    const n = compile({ request: { url: `${hook.url}/rl` } }).render(view(), renderInfo());
    expect(await webhookAction.deliver(n, deliverDeps(http, undefined).deps)).toMatchObject({ ok: false, retry: true, retryAfterMs: 7000, code: 'HTTP_429' });
  });

  it.each([400, 401, 403, 404, 410])('%i is permanent', async (status) => {
    hook.fault({ status, body: { error: 'nope' } });
    const n = compile({ request: { url: `${hook.url}/perm` } }).render(view(), renderInfo());
    expect(await webhookAction.deliver(n, deliverDeps(http, undefined).deps)).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX' });
  });

  it('a redirect is not followed and not retried', async () => {
    hook.fault({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } });
    const n = compile({ request: { url: `${hook.url}/redir` } }).render(view(), renderInfo());
    expect(await webhookAction.deliver(n, deliverDeps(http, undefined).deps)).toMatchObject({ ok: false, retry: false, code: 'HTTP_3XX' });
  });

  it('hostile values keep a JSON body valid and round-trip', async () => {
    const n = compile({ request: { url: `${hook.url}/hostile`, body: '{"v":"{{data.v}}","w":["{{data.v}}"]}' } }).render(view({ v: HOSTILE }), renderInfo());
    const before = hook.requests.length;
    expect((await webhookAction.deliver(n, deliverDeps(http, undefined).deps)).ok).toBe(true);
    expect(JSON.parse(hook.requests[before]!.body)).toEqual({ v: HOSTILE, w: [HOSTILE] });
  });

  it('json_body_from sends that part of the view as JSON', async () => {
    const hits = [{ _id: '1', msg: HOSTILE }];
    const n = compile({ request: { url: `${hook.url}/jbf`, json_body_from: 'data.hits' } }).render(view({ hits }), renderInfo());
    expect((n.request as any).headers['content-type']).toBe('application/json');
    const before = hook.requests.length;
    await webhookAction.deliver(n, deliverDeps(http, undefined).deps);
    expect(hook.requests[before]!.json).toEqual(hits);
  });

  it('a header value with CR/LF is rejected at render (no header injection)', () => {
    const c = compile({ request: { url: `${hook.url}/h`, headers: { 'X-Note': '{{data.v}}' } } });
    expect(() => c.render(view({ v: 'a\r\nX-Evil: 1' }), renderInfo())).toThrow(VigilError);
  });

  it('an account supplies the URL, secret headers and auth; none of them appear in the notification, the result or the log', async () => {
    const account: WebhookAccount = { url: `${guarded.url}/base`, headers: { 'x-api-key': API_KEY }, auth: { type: 'bearer', token: 'bearer-Secret-Tok-77' } };
    expect(webhookAction.account!.schema.safeParse(account).success).toBe(true);
    const c = compile({ request: { path: 'events/{{watch.id}}', body: '{"ok":true}' } });
    const n = c.render(view(), renderInfo());
    expect(JSON.stringify(n)).not.toMatch(/whk_live|bearer-Secret/);
    const before = guarded.requests.length;
    const ok = deliverDeps(http, account);
    expect(await webhookAction.deliver(n, ok.deps)).toEqual({ ok: true, detail: 'HTTP 200' });
    const got = guarded.requests[before]!;
    expect(got.url).toBe('/base/events/w1');
    expect(got.headers.authorization).toBe('Bearer bearer-Secret-Tok-77');
    // A wrong secret: 401, permanent, and the secrets are nowhere in what comes back.
    const wrong = deliverDeps(http, { ...account, headers: { 'x-api-key': 'whk_live_WrongValue99' } });
    const r = await webhookAction.deliver(n, wrong.deps);
    expect(r).toMatchObject({ ok: false, retry: false });
    expect(JSON.stringify(r) + wrong.logText() + ok.logText()).not.toMatch(/whk_live|bearer-Secret/);
  });

  it('checkAccount flags a webhook with no URL anywhere', () => {
    const p = webhookAction.params.parse({ request: { path: '/x' } }) as any;
    expect(webhookAction.checkAccount!(p, {})).toEqual([['request.url', 'neither the action nor its account gives a url']]);
    expect(webhookAction.checkAccount!(p, { url: 'https://x.example' })).toEqual([]);
  });

  it('timeouts in seconds (Signals) or durations; a hanging receiver times out and is retried', async () => {
    const p = webhookAction.params.parse({ request: { url: `${hook.url}/slow` }, connection_timeout: 5, read_timeout: '250ms' }) as any;
    expect(p.connection_timeout).toBe(5000);
    expect(p.read_timeout).toBe(250);
    hook.fault({ hang: true });
    const n = webhookAction.compile(p, templateEnv()).render(view(), renderInfo());
    expect(await webhookAction.deliver(n, deliverDeps(http, undefined).deps)).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
  });

  it('params are strict and body/json_body_from exclusive', () => {
    expect(webhookAction.params.safeParse({ request: { url: 'http://x' }, retries: 3 }).success).toBe(false);
    expect(webhookAction.params.safeParse({ request: { url: 'http://x', body: 'a', json_body_from: 'data' } }).success).toBe(false);
  });

  it('testAccount posts a test event with the account headers', async () => {
    const before = guarded.deliveries().length;
    const r = await testAccount({ url: guarded.url, headers: { 'x-api-key': API_KEY } }, { path: '/test' }, deliverDeps(http, undefined).deps);
    expect(r).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(guarded.deliveries().length).toBe(before + 1);
  });
});
