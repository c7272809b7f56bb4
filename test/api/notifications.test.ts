/**
 * The Notifications plugin's REST API over the accounts registry, through the whole app: configs of
 * today's channel types (slack, webhook, smtp_account, email) written, read, listed, updated, deleted
 * and tested in the plugin's shapes; secrets sealed and never returned; a disabled config stops the
 * watches that send to it; a config type whose account type this node lacks is a clear 400; sns and
 * ses_account configs, which carry no keys, send with the daemon's own AWS credentials.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTypes } from '../../src/registry/builtin.ts';
import { startSlackReceiver, type SlackReceiver } from '../kit/receivers/slack.ts';
import { startTeamsStandIn } from '../kit/receivers/teams.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { startSmtpPeer, type SmtpPeer } from '../kit/smtp-peer.ts';
import { bearer, startHarness, type Harness } from './harness.ts';
import { AwsKeyring } from '../kit/receivers/aws/keyring.ts';
import { queryError } from '../kit/receivers/aws/protocol.ts';
import { routeAwsEndpoints } from '../kit/receivers/aws/route.ts';
import { startSesStandIn } from '../kit/receivers/aws/ses.ts';
import { startSnsStandIn, SNS_NS } from '../kit/receivers/aws/sns.ts';
import { startStsStandIn } from '../kit/receivers/aws/sts.ts';
import { createTestHttpClient } from '../kit/undici-http.ts';

const SLACK_TOKEN = 'notifSlackTokenKK7301';
const HEADER_SECRET = 'notifHeaderSecretJJ2290';
const SMTP_PASSWORD = 'notifSmtpPassHH6612';
const TEAMS_SIG = 'NotifTeamsSig-sEcReT-7c1e9a';
const BASE = '/_plugins/_notifications';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('Notifications API', () => {
  let h: Harness;
  let admin: Record<string, string>;
  let slack: SlackReceiver;
  let hook: WebhookReceiver;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    slack = await startSlackReceiver(SLACK_TOKEN);
    hook = await startWebhookReceiver({ requireHeader: ['x-api-key', HEADER_SECRET] });
    smtp = await startSmtpPeer({ auth: { user: 'mailer', pass: SMTP_PASSWORD } });
    h = await startHarness({ egressAllow: ['127.0.0.1'] });
    admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([slack?.close(), hook?.close(), smtp?.close()]);
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    h.call({ method, url, headers: admin, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const slackConfig = (extra: Record<string, unknown> = {}) => ({ name: 'Ops chat', description: 'the ops room', config_type: 'slack', is_enabled: true, slack: { url: slack.webhookUrl }, ...extra });

  it('POST creates a slack config as a sealed slack account; GET shows the plugin shape without the URL', async () => {
    const res = await call('POST', `${BASE}/configs`, { config_id: 'ops-chat', config: slackConfig() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ config_id: 'ops-chat' });
    const got = await call('GET', `${BASE}/configs/ops-chat`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({
      start_index: 0,
      total_hits: 1,
      total_hit_relation: 'eq',
      config_list: [
        {
          config_id: 'ops-chat',
          last_updated_time_ms: expect.any(Number),
          created_time_ms: expect.any(Number),
          config: { name: 'Ops chat', description: 'the ops room', config_type: 'slack', is_enabled: true, slack: {} },
          secrets: { 'slack.url': { set: true, kid: expect.any(String), updated_at: expect.any(String) } },
        },
      ],
    });
    expect(got.body).not.toContain(SLACK_TOKEN);
    // The same account through the Signals accounts API, name and description included.
    const account = await call('GET', '/_signals/account/slack/ops-chat');
    expect(account.json()._source).toMatchObject({ name: 'Ops chat', description: 'the ops room', enabled: true, url: { set: true } });
    expect(((await h.app.accounts!.resolve('slack', 'ops-chat')) as { url: string }).url).toBe(slack.webhookUrl);
  });

  it('POST without an id makes one; an id taken by any config type is a 409', async () => {
    const res = await call('POST', `${BASE}/configs`, { config: slackConfig({ name: 'Generated' }) });
    expect(res.statusCode).toBe(200);
    expect(res.json().config_id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const dup = await call('POST', `${BASE}/configs`, { config_id: 'ops-chat', config: { name: 'x', config_type: 'webhook', webhook: { url: hook.url } } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('CONFLICT');
    expect((await call('DELETE', `${BASE}/configs/${res.json().config_id}`)).statusCode).toBe(200);
  });

  it('bad bodies: 400 naming each field at its path, never quoting a secret, nothing stored', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{ config: { name: 'x', config_type: 'slack', slack: { url: slack.webhookUrl, extra: 1 } }, other: 1 }, ['config.slack.extra', 'other']],
      [{ config: { name: 'x', config_type: 'pager', pager: {} } }, ['config.config_type']],
      [{ config: { name: 'x', config_type: 'slack', slack: { url: slack.webhookUrl }, webhook: { url: hook.url } } }, ['config.webhook']],
      [{ config: { config_type: 'slack', slack: { url: slack.webhookUrl } } }, ['config.name']],
      [{ config: { name: 'x', config_type: 'slack' } }, ['config.slack']],
      [{ config: { name: 'x', config_type: 'slack', slack: { url: `not a url ${SLACK_TOKEN}` } } }, ['config.slack.url']],
      [{ config: { name: 'two\nlines', config_type: 'slack', slack: { url: slack.webhookUrl } } }, ['config.name']],
      [{ config: { name: 'x', config_type: 'smtp_account', smtp_account: { host: '127.0.0.1', port: 25, method: 'none', from_address: 'not-an-address' } } }, ['config.smtp_account.from_address']],
      [{ config: { name: 'x', config_type: 'smtp_account', smtp_account: { host: '127.0.0.1', port: 25, method: 'tls', from_address: 'a@example.com' } } }, ['config.smtp_account.method']],
    ];
    for (const [body, paths] of cases) {
      const res = await call('POST', `${BASE}/configs`, { config_id: 'bad', ...(body as object) });
      expect(res.statusCode, res.body).toBe(400);
      expect(Object.keys(res.json().detail ?? {}).sort(), res.body).toEqual(paths.sort());
      expect(res.body).not.toContain(SLACK_TOKEN);
    }
    expect((await call('GET', `${BASE}/configs/bad`)).statusCode).toBe(404);
  });

  it('a config type whose account type this node does not have is a clear 400', async () => {
    const missing = ['teams', 'chime', 'sns'];
    const bare = await startHarness({ types: { ...builtinTypes, actions: builtinTypes.actions.filter((t) => !missing.includes(t.type)) } });
    try {
      const admin = { authorization: bearer(await bare.tokenFor('root', ['admin'])) };
      const bodies = {
        sns: { topic_arn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
        chime: { url: 'https://hooks.chime.aws/incomingwebhooks/x?token=y' },
        microsoft_teams: { url: 'https://example.webhook.office.com/x' },
      };
      for (const [type, sub] of Object.entries(bodies)) {
        const res = await bare.call({ method: 'POST', url: `${BASE}/configs`, headers: admin, payload: { config_id: `no-${type.replace('_', '-')}`, config: { name: 'x', config_type: type, [type]: sub } } });
        expect(res.statusCode, type).toBe(400);
        expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: { 'config.config_type': [expect.objectContaining({ error: expect.stringContaining('account type on this node') })] } });
      }
      expect((await bare.call({ method: 'GET', url: `${BASE}/features`, headers: admin })).json().allowed_config_type_list).toEqual(['slack', 'webhook', 'email', 'smtp_account', 'ses_account', 'email_group']);
    } finally {
      await bare.close();
    }
  });

  it('PUT replaces what the config carries and keeps the rest: a left-out URL, fields set through the Signals API', async () => {
    const res = await call('PUT', `${BASE}/configs/ops-chat`, { config_id: 'ops-chat', config: { name: 'Ops room', config_type: 'slack', is_enabled: false, slack: {} } });
    expect(res.statusCode, res.body).toBe(200);
    const got = (await call('GET', `${BASE}/configs/ops-chat`)).json().config_list[0];
    expect(got.config).toEqual({ name: 'Ops room', description: '', config_type: 'slack', is_enabled: false, slack: {} });
    expect(((await h.app.accounts!.resolve('slack', 'ops-chat', { allowDisabled: true })) as { url: string }).url).toBe(slack.webhookUrl);
    expect((await call('PUT', `${BASE}/configs/ops-chat`, { config: { name: 'x', config_type: 'webhook', webhook: { url: hook.url } } })).statusCode).toBe(409);
    expect((await call('PUT', `${BASE}/configs/nope`, { config: slackConfig() })).statusCode).toBe(404);
    expect((await call('PUT', `${BASE}/configs/ops-chat`, { config_id: 'other', config: slackConfig() })).json().detail).toHaveProperty('config_id');
    await call('PUT', `${BASE}/configs/ops-chat`, { config: slackConfig() });

    // An SMTP account with a Signals-only field keeps it through a Notifications update.
    const smtpAccount = { host: '127.0.0.1', port: smtp.port, default_from: 'vigil@example.com', domain_allowlist: ['example.com'], user: 'mailer', password: SMTP_PASSWORD };
    expect((await call('PUT', '/_signals/account/email/mailer', smtpAccount)).statusCode).toBe(201);
    const view = (await call('GET', `${BASE}/configs/mailer`)).json().config_list[0];
    expect(view.config.smtp_account).toEqual({ host: '127.0.0.1', port: smtp.port, method: 'none', from_address: 'vigil@example.com', username: 'mailer' });
    expect(view.secrets).toEqual({ 'smtp_account.password': expect.objectContaining({ set: true }) });
    const put = await call('PUT', `${BASE}/configs/mailer`, { config: { name: 'Mailer', config_type: 'smtp_account', smtp_account: { ...view.config.smtp_account, method: 'none' } } });
    expect(put.statusCode, put.body).toBe(200);
    expect(await h.app.accounts!.resolve('email', 'mailer')).toMatchObject({ domain_allowlist: ['example.com'], password: SMTP_PASSWORD, user: 'mailer' });
  });

  it('webhook configs: header values sealed (shown as set), method kept; email configs name their sender and recipients', async () => {
    const wh = { name: 'Hook', config_type: 'webhook', webhook: { url: `${hook.url}/in`, method: 'PUT', header_params: { 'x-api-key': HEADER_SECRET } } };
    expect((await call('POST', `${BASE}/configs`, { config_id: 'ops-hook', config: wh })).statusCode).toBe(200);
    const got = (await call('GET', `${BASE}/configs/ops-hook`)).json().config_list[0];
    expect(got.config.webhook).toEqual({ url: `${hook.url}/in`, method: 'PUT', header_params: {} });
    expect(Object.keys(got.secrets)).toEqual(['webhook.header_params.x-api-key']);

    const email = { name: 'Ops mail', config_type: 'email', email: { email_account_id: 'mailer', recipient_list: [{ recipient: 'ops@example.com' }] } };
    expect((await call('POST', `${BASE}/configs`, { config_id: 'ops-mail', config: email })).statusCode).toBe(200);
    expect((await call('GET', `${BASE}/configs/ops-mail`)).json().config_list[0].config.email).toEqual({ email_account_id: 'mailer', recipient_list: [{ recipient: 'ops@example.com' }], email_group_id_list: [] });
    const noSender = await call('POST', `${BASE}/configs`, { config_id: 'bad-mail', config: { ...email, email: { email_account_id: 'ops-chat', email_group_id_list: ['g1'] } } });
    expect(noSender.statusCode).toBe(400);
    expect(Object.keys(noSender.json().detail).sort()).toEqual(['config.email.email_account_id', 'config.email.email_group_id_list[0]']);
  });

  it('lists with the plugin\'s filters, sorting and paging; unknown parameters are refused', async () => {
    const ids = (q: string) => call('GET', `${BASE}/configs${q}`).then((r) => r.json().config_list.map((c: { config_id: string }) => c.config_id));
    const all = (await call('GET', `${BASE}/configs`)).json();
    expect(all).toMatchObject({ start_index: 0, total_hits: 4, total_hit_relation: 'eq' });
    expect(await ids('?config_type=slack,webhook&sort_field=name')).toEqual(['ops-hook', 'ops-chat']);
    expect(await ids('?sort_field=config_type&sort_order=desc')).toEqual(['ops-hook', 'mailer', 'ops-chat', 'ops-mail']);
    expect(await ids('?name=ops%20CHAT')).toEqual(['ops-chat']);
    expect(await ids('?query=example.com&sort_field=name')).toEqual(['mailer', 'ops-mail']);
    expect(await ids('?text_query=room')).toEqual(['ops-chat']);
    expect(await ids('?is_enabled=false')).toEqual([]);
    expect(await ids('?sort_field=name&from_index=1&max_items=2')).toEqual(['mailer', 'ops-chat']);
    // Asked by id, the other filters do not apply (as in the plugin).
    expect(await ids('?config_id_list=ops-mail,ops-chat&config_type=webhook&sort_field=name')).toEqual(['ops-chat', 'ops-mail']);
    expect((await call('GET', `${BASE}/configs?config_id_list=ops-chat,ghost`)).statusCode).toBe(404);
    const bad = await call('GET', `${BASE}/configs?slack.url=hooks&sort_field=slack.url&max_items=5000`);
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().detail).sort()).toEqual(['max_items', 'slack.url', 'sort_field']);
    expect(JSON.stringify(all)).not.toContain(HEADER_SECRET);
  });

  it('features: the config types this node can store and send with', async () => {
    const res = await call('GET', `${BASE}/features`);
    expect(res.json()).toEqual({ allowed_config_type_list: ['slack', 'chime', 'microsoft_teams', 'webhook', 'email', 'smtp_account', 'ses_account', 'sns', 'email_group'], plugin_features: {} });
  });

  it('feature/test sends the plugin\'s test message through the channel; a failure is an error carrying the statuses', async () => {
    const ok = await call('POST', `${BASE}/feature/test/ops-chat`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({
      event_source: { title: 'Test Message Title-ops-chat', reference_id: 'ops-chat', severity: 'info', tags: [] },
      status_list: [{ config_id: 'ops-chat', config_type: 'slack', config_name: 'Ops chat', email_recipient_status: [], delivery_status: { status_code: '200', status_text: 'ok' } }],
    });
    expect(slack.messages().at(-1)).toEqual({ text: 'Test Message Title-ops-chat\n\nTest message content body for config id ops-chat' });

    slack.fault({ status: 500, body: 'rollup_error' });
    const failed = await call('POST', `${BASE}/feature/test/ops-chat`);
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toMatchObject({ code: 'DELIVERY_FAILED', event_status_list: [{ config_id: 'ops-chat', delivery_status: { status_code: 'HTTP_5XX' } }] });
    expect(failed.body).not.toContain(SLACK_TOKEN);

    const mail = await call('POST', `${BASE}/feature/test/ops-mail`);
    expect(mail.statusCode, mail.body).toBe(200);
    expect(mail.json().status_list[0].email_recipient_status).toEqual([{ recipient: 'ops@example.com', delivery_status: { status_code: '200', status_text: 'Success' } }]);
    const [m] = (await smtp.waitForMessages(1)).slice(-1);
    expect(m!.parsed.subject).toBe('Test Message Title-ops-mail');

    expect((await call('POST', `${BASE}/feature/test/ghost`)).statusCode).toBe(404);
  });

  it('is_enabled: false stops every send through the config, the watch\'s included; true lets them through again', async () => {
    const watch = { trigger: { schedule: { interval: '1d' } }, checks: [], actions: [{ type: 'notification', name: 'tell', channel: 'ops-chat', subject: 'Watch {{watch.id}}', message: 'It fired' }] };
    expect((await call('PUT', '/_signals/watch/_main/tells-ops', watch)).statusCode).toBe(201);
    const before = slack.messages().length;
    await call('PUT', `${BASE}/configs/ops-chat`, { config: slackConfig({ is_enabled: false }) });
    const muted = (await call('POST', '/_signals/watch/_main/tells-ops/_execute', {})).json();
    expect(muted.actions[0]).toMatchObject({ status: { code: 'ACTION_FAILED' }, delivery: { status: 'failed' }, error: { detail: 'ACCOUNT_DISABLED' } });
    const test = await call('POST', `${BASE}/feature/test/ops-chat`);
    expect(test.statusCode).toBe(409);
    expect(test.json()).toMatchObject({ code: 'ACCOUNT_DISABLED', event_status_list: [{ delivery_status: { status_code: 'ACCOUNT_DISABLED' } }] });
    expect(slack.messages()).toHaveLength(before);

    await call('PUT', `${BASE}/configs/ops-chat`, { config: slackConfig() });
    const sent = (await call('POST', '/_signals/watch/_main/tells-ops/_execute', {})).json();
    expect(sent.actions[0]).toMatchObject({ status: { code: 'ACTION_EXECUTED' }, delivery: { status: 'delivered' } });
    expect(slack.messages().at(-1)).toEqual({ text: 'Watch tells-ops\n\nIt fired' });
  });

  it('DELETE: refused while a watch sends to the config (either API), by id or by list, all or nothing', async () => {
    const used = await call('DELETE', `${BASE}/configs/ops-chat`);
    expect(used.statusCode).toBe(409);
    expect(used.json().error).toContain('_main/tells-ops');
    expect((await call('DELETE', '/_signals/account/slack/ops-chat')).statusCode).toBe(409);
    expect((await call('DELETE', `${BASE}/configs?config_id_list=ops-hook,ops-chat`)).statusCode).toBe(409);
    expect((await call('GET', `${BASE}/configs/ops-hook`)).statusCode).toBe(200);
    expect((await call('DELETE', `${BASE}/configs`)).statusCode).toBe(400);
    expect((await call('DELETE', `${BASE}/configs?config_id_list=ops-hook,ghost`)).statusCode).toBe(404);
    const gone = await call('DELETE', `${BASE}/configs?config_id=ops-hook&config_id_list=ops-mail`);
    expect(gone.json()).toEqual({ delete_response_list: { 'ops-hook': 'OK', 'ops-mail': 'OK' } });
    expect((await call('GET', `${BASE}/configs/ops-hook`)).statusCode).toBe(404);
    expect((await call('DELETE', '/_signals/watch/_main/tells-ops')).statusCode).toBe(200);
    expect((await call('DELETE', `${BASE}/configs/ops-chat`)).json()).toEqual({ delete_response_list: { 'ops-chat': 'OK' } });
  });

  it('no secret in any response, log line, audit record or account file', async () => {
    const audit = JSON.stringify(await h.security.auditLog.query({ size: 10_000 }));
    const files = await Promise.all((await filesUnder(join(h.base, 'accounts'))).map((f) => readFile(f, 'utf8')));
    const haystacks = { responses: h.bodies.join('\n'), logs: h.logs.join(''), audit, files: files.join('\n') };
    const hits: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) for (const s of [SLACK_TOKEN, HEADER_SECRET, SMTP_PASSWORD]) if (text.includes(s)) hits.push(`${s} in ${where}`);
    expect(hits).toEqual([]);
  });
});

describe('Notifications API with a type switched off', () => {
  it('leaves it out of features, still manages its configs, and refuses to send a test through one', async () => {
    const h = await startHarness({ disabledActionTypes: ['webhook'] });
    try {
      const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
      const features = await h.call({ method: 'GET', url: `${BASE}/features`, headers: admin });
      expect(features.json().allowed_config_type_list).toEqual(['slack', 'chime', 'microsoft_teams', 'email', 'smtp_account', 'ses_account', 'sns', 'email_group']);
      const created = await h.call({ method: 'POST', url: `${BASE}/configs`, headers: admin, payload: { config_id: 'h1', config: { name: 'h', config_type: 'webhook', webhook: { url: 'https://hooks.example.com/x' } } } });
      expect(created.statusCode).toBe(200);
      const test = await h.call({ method: 'POST', url: `${BASE}/feature/test/h1`, headers: admin });
      expect(test.statusCode).toBe(403);
      expect(test.json().code).toBe('ACTION_TYPE_DISABLED');
    } finally {
      await h.close();
    }
  });
});

describe('Notifications API over the channel types of the e-mail and chat actions', () => {
  it('a microsoft_teams config is a teams account: stored, shown without the URL, offered, tested through the Teams channel format', async () => {
    const teams = await startTeamsStandIn({ sig: TEAMS_SIG });
    const h = await startHarness({ egressAllow: ['127.0.0.1'] });
    try {
      const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
      const call = (method: 'GET' | 'POST', url: string, payload?: object) => h.call({ method, url, headers: admin, ...(payload ? { payload } : {}) });
      const created = await call('POST', `${BASE}/configs`, { config_id: 'room', config: { name: 'Room', config_type: 'microsoft_teams', microsoft_teams: { url: teams.workflowUrl } } });
      expect(created.statusCode, created.body).toBe(200);
      const got = (await call('GET', `${BASE}/configs/room`)).json().config_list[0];
      expect(got.config).toEqual({ name: 'Room', description: '', config_type: 'microsoft_teams', is_enabled: true, microsoft_teams: {} });
      expect(Object.keys(got.secrets)).toEqual(['microsoft_teams.url']);
      // The same account through the Signals API: a teams account, its URL sealed.
      expect((await call('GET', '/_signals/account/teams/room')).json()._source).toMatchObject({ name: 'Room', url: { set: true } });
      expect((await call('GET', `${BASE}/features`)).json().allowed_config_type_list).toContain('microsoft_teams');
      const test = await call('POST', `${BASE}/feature/test/room`);
      expect(test.statusCode, test.body).toBe(200);
      expect(test.json().status_list[0]).toMatchObject({ config_id: 'room', config_type: 'microsoft_teams', config_name: 'Room' });
      expect(teams.posted()).toHaveLength(1);
      expect(teams.failedRuns()).toEqual([]);
      expect(JSON.stringify(teams.posted()[0]!.cards)).toContain('Test message content body for config id room');
      expect(h.bodies.join('\n')).not.toContain(TEAMS_SIG);
      expect(h.logs.join('')).not.toContain(TEAMS_SIG);
    } finally {
      await h.close();
      await teams.close();
    }
  });

  it('an email_group config is a recipient group, and an email config names it: the test message reaches the group', async () => {
    const smtp = await startSmtpPeer();
    const h = await startHarness({ egressAllow: ['127.0.0.1'] });
    try {
      const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
      const post = (payload: object) => h.call({ method: 'POST', url: `${BASE}/configs`, headers: admin, payload });
      expect((await post({ config_id: 'oncall', config: { name: 'On call', config_type: 'email_group', email_group: { recipient_list: [{ recipient: 'g@example.com' }] } } })).statusCode).toBe(200);
      expect((await h.call({ method: 'GET', url: '/_signals/account/email_group/oncall', headers: admin })).json()._source).toMatchObject({ emails: ['g@example.com'] });
      const smtpConfig = { host: '127.0.0.1', port: smtp.port, method: 'none', from_address: 'vigil@example.com' };
      expect((await post({ config_id: 'smtp', config: { name: 'SMTP', config_type: 'smtp_account', smtp_account: smtpConfig } })).statusCode).toBe(200);
      const mail = await post({ config_id: 'mail', config: { name: 'Mail', config_type: 'email', email: { email_account_id: 'smtp', email_group_id_list: ['oncall'] } } });
      expect(mail.statusCode, mail.body).toBe(200);
      const test = await h.call({ method: 'POST', url: `${BASE}/feature/test/mail`, headers: admin });
      expect(test.statusCode, test.body).toBe(200);
      const [m] = (await smtp.waitForMessages(1)).slice(-1);
      expect(m!.envelope.to).toEqual(['g@example.com']);
      // A group receives nothing by itself: it is not a channel.
      expect((await h.call({ method: 'POST', url: `${BASE}/feature/test/oncall`, headers: admin })).statusCode).toBe(400);
    } finally {
      await h.close();
      await smtp.close();
    }
  });
});

describe("Notifications API: sns and ses_account configs carry no keys, and send with the daemon's own AWS credentials", () => {
  const REGION = 'eu-west-1';
  const ROLE = 'arn:aws:iam::123456789012:role/vigil-notifications';
  /** The daemon's environment: an IAM user's keys that may assume the role. */
  const keys = new AwsKeyring({ users: [{ accessKeyId: 'AKIAVIGILNOTIFDAEMON', secretAccessKey: 'nOtIf/Daemon+Secret0Key/For+Vigil0abcdef', userArn: 'arn:aws:iam::123456789012:user/vigil-daemon' }] });
  const DAEMON = { AWS_ACCESS_KEY_ID: 'AKIAVIGILNOTIFDAEMON', AWS_SECRET_ACCESS_KEY: 'nOtIf/Daemon+Secret0Key/For+Vigil0abcdef' };

  it('stores them as keyless accounts, shows them without secrets, and feature/test reaches SNS and SES through the assumed role', async () => {
    const sts = await startStsStandIn({ keys, region: REGION, roles: [{ arn: ROLE }] });
    const sns = await startSnsStandIn({ keys, region: REGION, topics: ['alerts'] });
    const ses = await startSesStandIn({ keys, region: REGION, identities: ['example.com'] });
    // AWS's own endpoints of the region, answered by the stand-ins (the daemon's keys go nowhere else).
    const http = routeAwsEndpoints(createTestHttpClient(), {
      [`https://sts.${REGION}.amazonaws.com`]: sts.url,
      [`https://sns.${REGION}.amazonaws.com`]: sns.url,
      [`https://email.${REGION}.amazonaws.com`]: ses.url,
    });
    const h = await startHarness({ env: DAEMON, http });
    try {
      const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
      const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => h.call({ method, url, headers: admin, ...(payload ? { payload } : {}) });
      const snsConfig = { topic_arn: sns.topicArn('alerts'), role_arn: ROLE };
      const created = await call('POST', `${BASE}/configs`, { config_id: 'page', config: { name: 'Page', config_type: 'sns', sns: snsConfig } });
      expect(created.statusCode, created.body).toBe(200);
      const sesConfig = { region: REGION, role_arn: ROLE, from_address: 'vigil@example.com' };
      expect((await call('POST', `${BASE}/configs`, { config_id: 'ses-sender', config: { name: 'SES', config_type: 'ses_account', ses_account: sesConfig } })).statusCode).toBe(200);
      const mail = { name: 'Mail', config_type: 'email', email: { email_account_id: 'ses-sender', recipient_list: [{ recipient: 'ops@example.com' }] } };
      expect((await call('POST', `${BASE}/configs`, { config_id: 'mail', config: mail })).statusCode).toBe(200);

      const page = (await call('GET', `${BASE}/configs/page`)).json().config_list[0];
      expect(page.config).toEqual({ name: 'Page', description: '', config_type: 'sns', is_enabled: true, sns: snsConfig });
      expect(page.secrets ?? {}).toEqual({});
      expect((await call('GET', `${BASE}/configs/ses-sender`)).json().config_list[0].config.ses_account).toEqual(sesConfig);
      expect((await call('GET', '/_signals/account/sns/page')).json()._source).toEqual(expect.not.objectContaining({ access_key_id: expect.anything() }));

      const test = await call('POST', `${BASE}/feature/test/page`);
      expect(test.statusCode, test.body).toBe(200);
      expect(test.json().status_list[0]).toMatchObject({ config_id: 'page', config_type: 'sns', delivery_status: { status_code: '200' } });
      // The daemon's keys assumed the role; its temporary keys signed the Publish.
      expect(sts.requests.at(-1)!.headers.authorization).toContain(`Credential=${DAEMON.AWS_ACCESS_KEY_ID}/`);
      expect(sns.published().at(-1)).toMatchObject({ accessKeyId: sts.issued().at(-1)!.accessKeyId, subject: 'Test Message Title-page', message: 'Test message content body for config id page' });

      const mailed = await call('POST', `${BASE}/feature/test/mail`);
      expect(mailed.statusCode, mailed.body).toBe(200);
      expect(ses.sent().at(-1)).toMatchObject({ to: ['ops@example.com'], accessKeyId: sts.issued().at(-1)!.accessKeyId });
      expect(ses.sent().at(-1)!.raw!.subject).toBe('Test Message Title-mail');

      // The Signals API's _test of the same account goes the same way.
      const signalsTest = await call('POST', '/_signals/account/sns/page/_test', { message: 'via signals' });
      expect(signalsTest.json(), signalsTest.body).toMatchObject({ ok: true });

      // A watch's notification goes through the outbox the same way.
      const watch = { trigger: { schedule: { interval: '1d' } }, checks: [], actions: [{ type: 'notification', name: 'page', channel: 'page', subject: 'Watch {{watch.id}}', message: 'It fired' }] };
      expect((await call('PUT', '/_signals/watch/_main/pages', watch)).statusCode).toBe(201);
      const run = (await call('POST', '/_signals/watch/_main/pages/_execute', {})).json();
      expect(run.actions[0], JSON.stringify(run)).toMatchObject({ status: { code: 'ACTION_EXECUTED' }, delivery: { status: 'delivered' } });
      expect(sns.published().at(-1)).toMatchObject({ subject: 'Watch pages', message: 'It fired' });

      // A service that quotes the keys back: scrubbed from the answers, the watch's result and everything below.
      const quote = () => sns.fault(queryError(SNS_NS, { status: 400, code: 'InvalidParameter', message: `bad ${DAEMON.AWS_ACCESS_KEY_ID} ${DAEMON.AWS_SECRET_ACCESS_KEY}` }));
      quote();
      const quoted = await call('POST', `${BASE}/feature/test/page`);
      expect(quoted.statusCode).toBe(502);
      expect(quoted.json().event_status_list[0].delivery_status).toMatchObject({ status_code: 'HTTP_4XX', status_text: expect.stringContaining('bad [redacted] [redacted]') });
      quote();
      const failed = (await call('POST', '/_signals/watch/_main/pages/_execute', {})).json();
      expect(failed.actions[0]).toMatchObject({ delivery: { status: 'failed' } });
      expect(JSON.stringify(failed)).toContain('[redacted]');
      // And the registry's redactor, the last guard of every account test's answer, knows them from the start.
      expect(h.app.accounts!.redactor.scrub(DAEMON.AWS_SECRET_ACCESS_KEY)).toBe('[redacted]');

      // The daemon's keys only go to AWS: an account without keys of its own may not name another endpoint.
      const elsewhere = await call('PUT', '/_signals/account/sns/elsewhere', { region: REGION, topic_arn: sns.topicArn('alerts'), endpoint: sns.url });
      expect(elsewhere.statusCode).toBe(400);
      expect(Object.keys(elsewhere.json().detail)).toEqual(['endpoint']);
      expect(http.unrouted()).toEqual([]);

      await call('GET', '/_vigil/health');
      const audit = JSON.stringify(await h.security.auditLog.query({ size: 10_000 }));
      const files = await Promise.all((await filesUnder(join(h.base, 'accounts'))).map((f) => readFile(f, 'utf8')));
      const haystacks = { responses: h.bodies.join('\n'), logs: h.logs.join(''), audit, files: files.join('\n') };
      const hits: string[] = [];
      for (const [where, text] of Object.entries(haystacks)) for (const s of [DAEMON.AWS_ACCESS_KEY_ID, DAEMON.AWS_SECRET_ACCESS_KEY]) if (text.includes(s)) hits.push(`${s} in ${where}`);
      expect(hits).toEqual([]);
    } finally {
      await h.close();
      await Promise.all([sts.close(), sns.close(), ses.close()]);
    }
  });

  it('without AWS credentials in the environment the config is still stored, and its test says what is missing', async () => {
    const h = await startHarness({ env: { AWS_SESSION_TOKEN: 'no-keys-with-it' } });
    try {
      const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
      const created = await h.call({ method: 'POST', url: `${BASE}/configs`, headers: admin, payload: { config_id: 'page', config: { name: 'Page', config_type: 'sns', sns: { topic_arn: `arn:aws:sns:${REGION}:123456789012:alerts` } } } });
      expect(created.statusCode, created.body).toBe(200);
      const test = await h.call({ method: 'POST', url: `${BASE}/feature/test/page`, headers: admin });
      expect(test.statusCode).toBe(502);
      expect(test.json().event_status_list[0].delivery_status).toEqual({
        status_code: 'AUTH_FAILED',
        status_text: "no access keys in the account and no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the daemon's environment",
      });
    } finally {
      await h.close();
    }
  });
});

describe('Notifications API without a master key', () => {
  it('answers 503 ACCOUNTS_UNAVAILABLE', async () => {
    const h = await startHarness({ masterKey: false });
    try {
      const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
      const res = await h.call({ method: 'GET', url: `${BASE}/configs`, headers: admin });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('ACCOUNTS_UNAVAILABLE');
    } finally {
      await h.close();
    }
  });
});
