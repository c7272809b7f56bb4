/**
 * Account trust through the whole daemon (buildApp + REST API, real receivers on 127.0.0.1): a
 * watch_manager cannot send an administrator's account secrets anywhere but the account's own
 * destination (refused at PUT with the field path, and again at send time); an action without
 * `account` uses the type's `default` account, checked at load like a named one; `checkAccount` runs at
 * load; every account type takes Signals' export fields; a corrupt account file leaves the others
 * usable.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { startSlackReceiver, type SlackReceiver } from '../kit/receivers/slack.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

const HEADER_SECRET = 'trust-HeaderSecret-K8v2';
const SLACK_TOKEN = 'trustSlackToken0Qw9Zx';

let h: Harness;
let admin: Record<string, string>;
let mallory: Record<string, string>;
let owner: WebhookReceiver;
let moved: WebhookReceiver;
let attacker: WebhookReceiver;
let slack: SlackReceiver;

beforeAll(async () => {
  owner = await startWebhookReceiver({ requireHeader: ['x-api-key', HEADER_SECRET] });
  moved = await startWebhookReceiver({ requireHeader: ['x-api-key', HEADER_SECRET] });
  attacker = await startWebhookReceiver();
  slack = await startSlackReceiver(SLACK_TOKEN);
  h = await startHarness({ egressAllow: ['127.0.0.1'] });
  admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
  mallory = { authorization: bearer(await h.tokenFor('mallory', ['watch_manager'])) };
  const put = await h.call({ method: 'PUT', url: '/_signals/account/webhook/ops-hook', headers: admin, payload: { url: `${owner.url}/hooks`, headers: { 'x-api-key': HEADER_SECRET } } });
  expect(put.statusCode).toBe(201);
});
afterAll(async () => {
  await h?.close();
  for (const r of [owner, moved, attacker, slack]) await r?.close();
});

const watchWith = (action: Record<string, unknown>) => ({ trigger: { schedule: { interval: '1h' } }, checks: [], actions: [{ name: 'notify', ...action }] });
const putWatch = (id: string, action: Record<string, unknown>, headers = mallory) =>
  h.call({ method: 'PUT', url: `/_signals/watch/_main/${id}`, headers, payload: watchWith(action) });
const execute = async (id: string) => {
  const res = await h.call({ method: 'POST', url: `/_signals/watch/_main/${id}/_execute`, headers: mallory, payload: { record_execution: true } });
  return res.json().actions[0] as { status: { code: string }; error?: { detail?: string } };
};

describe('an account\'s secrets stay with its destination', () => {
  it('a watch naming another origin, a templated host, a proxy or weaker TLS is refused at PUT, with the field path', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ request: { url: `${attacker.url}/collect`, body: 'x' } }, 'actions[0].request.url'],
      [{ request: { url: 'http://{{data.host}}/collect' } }, 'actions[0].request.url'],
      [{ request: { path: '/x' }, proxy: attacker.url }, 'actions[0].proxy'],
      [{ request: { path: '/x' }, tls: { trust_all: true } }, 'actions[0].tls.trust_all'],
    ];
    for (const [extra, path] of cases) {
      const res = await putWatch('steal', { type: 'webhook', account: 'ops-hook', ...extra });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe('INVALID_WATCH');
      expect(Object.keys(res.json().detail)).toEqual([path]);
      expect(res.body).not.toContain(HEADER_SECRET);
    }
    expect(attacker.requests).toHaveLength(0);
  });

  it('a path, a query, or a URL on the account\'s own origin is accepted and delivered with the secrets', async () => {
    expect((await putWatch('by-path', { type: 'webhook', account: 'ops-hook', request: { path: '/by-path', query_params: { w: '{{watch.id}}' } } })).statusCode).toBe(201);
    expect((await putWatch('by-url', { type: 'webhook', account: 'ops-hook', request: { url: `${owner.url}/by-url` } })).statusCode).toBe(201);
    expect((await execute('by-path')).status.code).toBe('ACTION_EXECUTED');
    expect((await execute('by-url')).status.code).toBe('ACTION_EXECUTED');
    expect(owner.deliveries().map((r) => r.url)).toEqual(['/hooks/by-path?w=by-path', '/by-url']);
  });

  it('after the account moves, an action still aimed at the old origin fails at send time and sends nothing', async () => {
    const put = await h.call({ method: 'PUT', url: '/_signals/account/webhook/ops-hook', headers: admin, payload: { url: `${moved.url}/hooks` } });
    expect(put.statusCode).toBe(200);
    const before = owner.requests.length;
    const action = await execute('by-url');
    expect(action.status.code).toBe('ACTION_FAILED');
    expect(action.error?.detail).toBe('ACCOUNT_DESTINATION_DENIED');
    expect(owner.requests.length).toBe(before);
    expect((await execute('by-path')).status.code).toBe('ACTION_EXECUTED');
    expect(moved.deliveries().map((r) => r.url)).toEqual(['/hooks/by-path?w=by-path']);
    expect(attacker.requests).toHaveLength(0);
    expect(h.bodies.join('\n') + h.logs.join('')).not.toContain(HEADER_SECRET);
  });
});

describe('an omitted account means the account named default', () => {
  it('is checked at load like a named one, then used', async () => {
    const missing = await putWatch('to-slack', { type: 'slack', text: 'hello from {{watch.id}}' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail['actions[0].account'][0].error).toMatch(/no slack account 'default'/);
    expect((await h.call({ method: 'PUT', url: '/_signals/account/slack/default', headers: admin, payload: { url: slack.webhookUrl } })).statusCode).toBe(201);
    expect((await putWatch('to-slack', { type: 'slack', text: 'hello from {{watch.id}}' })).statusCode).toBe(201);
    expect((await execute('to-slack')).status.code).toBe('ACTION_EXECUTED');
    expect(slack.messages().map((m) => m.text)).toEqual(['hello from to-slack']);
    const del = await h.call({ method: 'DELETE', url: '/_signals/account/slack/default', headers: admin });
    expect(del.statusCode).toBe(409);
    expect(del.json().error).toContain('_main/to-slack');
  });
});

describe('load-time account checks and Signals export fields', () => {
  it('checkAccount runs at load: a literal recipient outside the email account\'s domain allowlist is refused at its path', async () => {
    const acct = { host: '127.0.0.1', port: 9, default_from: 'vigil@example.com', domain_allowlist: ['example.com'] };
    expect((await h.call({ method: 'PUT', url: '/_signals/account/email/allowlisted', headers: admin, payload: acct })).statusCode).toBe(201);
    const mail = { type: 'email', account: 'allowlisted', subject: 's', text_body: 'b' };
    const bad = await putWatch('mail', { ...mail, to: ['ops@example.com', 'leak@elsewhere.test'] });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().detail)).toEqual(['actions[0].to[1]']);
    expect((await putWatch('mail', { ...mail, to: ['ops@example.com', '{{data.who}}'] })).statusCode).toBe(201);
  });

  it('every account type accepts the type and _name of a Signals export, and refuses a type that is not its own', async () => {
    const bodies: Record<string, Record<string, unknown>> = {
      email: { host: 'smtp.example.com', port: 587, session_timeout: 30 },
      slack: { url: 'https://hooks.slack.com/services/T0/B0/xyz' },
      pagerduty: { integration_key: 'k0123456789' },
      jira: { url: 'https://jira.example.com', user_name: 'bot@example.com', auth_token: 't0k' },
      webhook: { url: 'https://hooks.example.com/x' },
      teams: { url: 'https://prod.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=s1g' },
      chime: { url: 'https://hooks.chime.aws/incomingwebhooks/abc?token=t0k' },
      sns: { region: 'eu-west-1', access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: 'wJalrXUtnFEMI', topic_arn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
      ses: { region: 'eu-west-1', access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: 'wJalrXUtnFEMI', from: 'vigil@example.com' },
      exchange: { tenant_id: 'example.onmicrosoft.com', client_id: '00000000-0000-0000-0000-000000000001', client_secret: 'cl1ent', from: 'vigil@example.com' },
      email_group: { emails: ['ops@example.com'] },
      email_channel: { email_account_id: 'smtp', recipient_list: ['ops@example.com'] },
    };
    expect(Object.keys(bodies).sort()).toEqual(h.app.accounts!.types());
    for (const [type, body] of Object.entries(bodies)) {
      const ok = await h.call({ method: 'PUT', url: `/_signals/account/${type}/from-signals`, headers: admin, payload: { type, _name: 'from-signals', ...body } });
      expect(ok.statusCode, `${type}: ${ok.body}`).toBe(201);
      const got = await h.call({ method: 'GET', url: `/_signals/account/${type}/from-signals`, headers: admin });
      expect(got.json()._source).not.toHaveProperty('_name');
      const other = type === 'slack' ? 'email' : 'slack';
      const wrong = await h.call({ method: 'PUT', url: `/_signals/account/${type}/from-signals`, headers: admin, payload: { type: other, ...body } });
      expect(wrong.statusCode).toBe(400);
      expect(Object.keys(wrong.json().detail)).toEqual(['type']);
    }
  });
});

describe('a corrupt account file', () => {
  it('leaves search answering with the others, names it apart, and GET of it answers ACCOUNT_UNUSABLE', async () => {
    const garbage = '{"url": "https://x.example", "headers": {"x-api-key": "GARBAGE-CONTENT';
    await writeFile(join(h.base, 'accounts', 'webhook', 'broken.json'), garbage);
    const search = await h.call({ method: 'GET', url: '/_signals/account/_search?type=webhook&size=100', headers: admin });
    expect(search.statusCode).toBe(200);
    expect(search.json().hits.hits.map((x: { _id: string }) => x._id)).toEqual(['from-signals', 'ops-hook']);
    expect(search.json().unusable).toEqual([{ _id: 'broken', _type: 'webhook', error: 'account file is not valid JSON' }]);
    const get = await h.call({ method: 'GET', url: '/_signals/account/webhook/broken', headers: admin });
    expect(get.statusCode).toBe(409);
    expect(get.json()).toMatchObject({ code: 'ACCOUNT_UNUSABLE', error: expect.stringContaining('not valid JSON') });
    expect(search.body + get.body + h.logs.join('')).not.toContain('GARBAGE-CONTENT');
    expect(h.logs.filter((l) => l.includes('webhook/broken.json'))).toHaveLength(1);
  });
});
