/**
 * Account endpoints through the whole app: CRUD, search, `_test` through the real send path, 409 for
 * an account in use, 503 without a master key, and a grep of everything produced for known secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

const SECRETS = {
  email: 'S3cret-mail-pw-Alpha',
  proxy: 'S3cret-proxy-Bravo',
  slack: 'S3cretSlackCharlie',
  pagerduty: 'S3cretPdDelta0123456789',
  jira: 'S3cretJiraEcho',
  header: 'S3cretHeaderFoxtrot',
  auth: 'S3cretAuthGolf',
};

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('account endpoints', () => {
  let h: Harness;
  let admin: Record<string, string>;
  let hook: WebhookReceiver;
  const closed = 'http://127.0.0.1:9'; // discard port: nothing listens, connection refused at once

  beforeAll(async () => {
    hook = await startWebhookReceiver({ requireHeader: ['x-api-key', SECRETS.header] });
    h = await startHarness({ egressAllow: ['127.0.0.1'] });
    admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
  });
  afterAll(async () => {
    await h?.close();
    await hook?.close();
  });

  const bodies: Record<string, Record<string, unknown>> = {};
  it('PUT creates every account type (201), GET shows only whether secrets are set', async () => {
    Object.assign(bodies, {
      'email/mail': { host: '127.0.0.1', port: 9, user: 'mailer', password: SECRETS.email, proxy_host: '127.0.0.1', proxy_port: 9, proxy_user: 'p', proxy_password: SECRETS.proxy, default_from: 'vigil@example.com' },
      'slack/chat': { url: `${closed}/services/T0/B0/${SECRETS.slack}` },
      'pagerduty/pd': { integration_key: SECRETS.pagerduty, url: `${closed}/v2/enqueue` },
      'jira/tickets': { url: closed, user_name: 'bot', auth_token: SECRETS.jira },
      'webhook/hook': { url: hook.url, headers: { 'x-api-key': SECRETS.header }, auth: { type: 'basic', username: 'hook', password: SECRETS.auth } },
    });
    for (const [path, body] of Object.entries(bodies)) {
      const res = await h.call({ method: 'PUT', url: `/_signals/account/${path}`, headers: admin, payload: body });
      expect(res.statusCode, `${path}: ${res.body}`).toBe(201);
    }
    const mail = await h.call({ method: 'GET', url: '/_signals/account/email/mail', headers: admin });
    expect(mail.statusCode).toBe(200);
    expect(mail.json()._source).toMatchObject({ host: '127.0.0.1', user: 'mailer', password: { set: true }, proxy_password: { set: true } });
    const wh = await h.call({ method: 'GET', url: '/_signals/account/webhook/hook', headers: admin });
    expect(wh.json()._source.headers['x-api-key']).toMatchObject({ set: true });
    expect(wh.body).not.toMatch(/vigil:v1:/);
  });

  it('a PUT that omits a secret keeps it; search by type and id prefix pages', async () => {
    const { password: _omit, ...rest } = bodies['email/mail']!;
    const res = await h.call({ method: 'PUT', url: '/_signals/account/email/mail', headers: admin, payload: { ...rest, port: 2525 } });
    expect(res.statusCode).toBe(200);
    expect(((await h.app.accounts!.resolve('email', 'mail')) as { password: string }).password).toBe(SECRETS.email);
    const all = await h.call({ method: 'GET', url: '/_signals/account/_search?size=2', headers: admin });
    expect(all.json().hits.total.value).toBe(5);
    expect(all.json().hits.hits).toHaveLength(2);
    const byType = await h.call({ method: 'POST', url: '/_signals/account/_search', headers: admin, payload: { type: 'webhook', id_prefix: 'ho' } });
    expect(byType.json().hits.hits.map((x: { _id: string }) => x._id)).toEqual(['hook']);
    expect(byType.body).not.toMatch(/vigil:v1:/);
  });

  it('_test sends through the real webhook path (secret header and auth applied) and reports failures redacted', async () => {
    const ok = await h.call({ method: 'POST', url: '/_signals/account/webhook/hook/_test', headers: admin, payload: {} });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true });
    expect(hook.deliveries()).toHaveLength(1);
    expect(hook.deliveries()[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`hook:${SECRETS.auth}`).toString('base64')}`);
    for (const [path, body] of [['slack/chat', {}], ['pagerduty/pd', {}], ['jira/tickets', { project: 'OPS' }], ['email/mail', { to: 'ops@example.com' }]] as const) {
      const res = await h.call({ method: 'POST', url: `/_signals/account/${path}/_test`, headers: admin, payload: body });
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      expect(res.json().ok, path).toBe(false);
    }
    expect((await h.call({ method: 'POST', url: '/_signals/account/webhook/nope/_test', headers: admin, payload: {} })).statusCode).toBe(404);
  });

  it('a disabled account (enabled: false) is shown as such and its _test sends nothing: 409 ACCOUNT_DISABLED', async () => {
    const body = { ...bodies['webhook/hook']!, name: 'Muted hook', description: 'off for the migration', enabled: false };
    expect((await h.call({ method: 'PUT', url: '/_signals/account/webhook/muted', headers: admin, payload: body })).statusCode).toBe(201);
    const got = await h.call({ method: 'GET', url: '/_signals/account/webhook/muted', headers: admin });
    expect(got.json()._source).toMatchObject({ name: 'Muted hook', description: 'off for the migration', enabled: false });
    const before = hook.deliveries().length;
    const res = await h.call({ method: 'POST', url: '/_signals/account/webhook/muted/_test', headers: admin, payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ACCOUNT_DISABLED' });
    expect(hook.deliveries()).toHaveLength(before);
    expect((await h.call({ method: 'DELETE', url: '/_signals/account/webhook/muted', headers: admin })).statusCode).toBe(200);
  });

  it('DELETE of an account used by a watch is 409 naming the watch; unused ones delete', async () => {
    const watch = {
      trigger: { schedule: { interval: '1h' } },
      checks: [],
      actions: [{ type: 'webhook', name: 'notify', account: 'hook', request: { method: 'POST', path: '/x', body: 'hi' } }],
    };
    const put = await h.call({ method: 'PUT', url: '/_signals/watch/_main/uses-hook', headers: admin, payload: watch });
    expect(put.statusCode, put.body).toBe(201);
    const del = await h.call({ method: 'DELETE', url: '/_signals/account/webhook/hook', headers: admin });
    expect(del.statusCode).toBe(409);
    expect(del.json().error).toContain('_main/uses-hook');
    expect((await h.call({ method: 'GET', url: '/_signals/account/webhook/hook', headers: admin })).statusCode).toBe(200);
    expect((await h.call({ method: 'DELETE', url: '/_signals/account/jira/tickets', headers: admin })).json()).toMatchObject({ result: 'deleted' });
    expect((await h.call({ method: 'DELETE', url: '/_signals/account/jira/tickets', headers: admin })).statusCode).toBe(404);
  });

  it('hostile ids on every id-taking route: 400, no file touched, no prototype polluted', async () => {
    const before = (await filesUnder(h.base)).sort();
    const hostile = ['..', '%2e%2e', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2F..%2Fpasswd', '__proto__', 'constructor', 'a%00b', 'x'.repeat(10_240), '%C3%A9t%C3%A9'];
    const polluting = { ['__proto__']: { polluted: 'yes' }, constructor: { prototype: { polluted: 'yes' } } };
    const problems: string[] = [];
    let tried = 0;
    for (const r of h.routes) {
      const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      if (!params.length) continue;
      for (const method of [r.method].flat()) {
        if (method === 'HEAD') continue;
        for (const bad of hostile) {
          for (const target of params) {
            const url = r.url.replace(/:(\w+)/g, (_m, p: string) => (p === target ? bad : p === 'tenant' ? '_main' : p === 'type' ? 'webhook' : 'ok1'));
            const withBody = ['PUT', 'POST', 'PATCH'].includes(method);
            const payload = withBody ? JSON.stringify(method === 'PATCH' ? [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }] : polluting) : undefined;
            const res = await h.call({ method: method as 'GET', url, headers: { ...admin, ...(withBody ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload } : {}) });
            tried++;
            // Security and account routes refuse such ids outright. Watch routes (another module) may
            // also answer 404 (looked up in memory, no file named) or an empty search.
            const owned = r.url.startsWith('/_vigil/security') || r.url.startsWith('/_signals/account');
            // A bare `..` segment is resolved away by URL normalisation before routing: no route, 404.
            const dotSegment = bad === '..' || bad === '%2e%2e';
            if (dotSegment && res.statusCode === 404) continue;
            const harmless = res.statusCode === 404 || (res.statusCode === 200 && r.url.endsWith('/_search') && res.json().hits?.total?.value === 0);
            if (res.statusCode !== 400 && (owned || !harmless)) problems.push(`${method} ${r.url} ${target}=${bad.slice(0, 20)} → ${res.statusCode}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(tried).toBeGreaterThan(100);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect((await filesUnder(h.base)).sort()).toEqual(before);
  });

  it('no secret in any response, header, audit record, log line or account file', async () => {
    // Error paths too: invalid bodies that carry the secrets.
    await h.call({ method: 'PUT', url: '/_signals/account/email/mail', headers: admin, payload: { host: 'bad host', password: SECRETS.email, proxy_password: SECRETS.proxy } });
    await h.call({ method: 'PUT', url: '/_signals/account/slack/chat', headers: admin, payload: { url: `not a url ${SECRETS.slack}` } });
    await h.call({ method: 'PUT', url: '/_signals/account/webhook/hook', headers: admin, payload: { headers: { 'bad header\n': SECRETS.header }, auth: { type: 'basic', password: SECRETS.auth } } });
    const audit = JSON.stringify(await h.security.auditLog.query({ size: 10_000 }));
    const files = await Promise.all((await filesUnder(join(h.base, 'accounts'))).map((f) => readFile(f, 'utf8')));
    const haystacks = { responses: h.bodies.join('\n'), audit, logs: h.logs.join(''), files: files.join('\n') };
    const hits: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) for (const [name, s] of Object.entries(SECRETS)) if (text.includes(s)) hits.push(`${name} in ${where}`);
    expect(hits).toEqual([]);
    expect(h.bodies.length).toBeGreaterThan(200);
    expect(h.logs.length).toBeGreaterThan(10);
  });
});

describe('account endpoints without a master key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ masterKey: false });
  });
  afterAll(() => h?.close());

  it('answer 503 with a clear message', async () => {
    const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
    for (const req of [
      { method: 'PUT' as const, url: '/_signals/account/slack/x', payload: { url: 'https://example.com/x' } },
      { method: 'GET' as const, url: '/_signals/account/slack/x' },
      { method: 'GET' as const, url: '/_signals/account/_search' },
    ]) {
      const res = await h.call({ ...req, headers: admin });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'ACCOUNTS_UNAVAILABLE', error: expect.stringContaining('no master key') });
    }
  });
});
