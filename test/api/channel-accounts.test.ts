/**
 * The new account types through the whole app: Teams, Chime and SNS accounts, and the e-mail action's
 * SES and Exchange senders and recipient groups. Created and read through the REST API (secrets shown
 * only as set), tested through the real send path against the service stand-ins, named by a watch
 * (`ses:<id>`, `{"group": id}`: deleting what a watch names is 409), and a grep of every response, log
 * line, audit record and account file for the secrets they hold and the tokens they were given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bearer, startHarness, type Harness } from './harness.ts';
import { startTeamsStandIn, type TeamsStandIn } from '../kit/receivers/teams.ts';
import { startChimeStandIn, type ChimeStandIn } from '../kit/receivers/chime.ts';
import { AwsKeyring, TEST_USER } from '../kit/receivers/aws/keyring.ts';
import { startSnsStandIn, type SnsStandIn } from '../kit/receivers/aws/sns.ts';
import { startStsStandIn, type StsStandIn } from '../kit/receivers/aws/sts.ts';
import { startSesStandIn, type SesStandIn } from '../kit/receivers/aws/ses.ts';
import { startIdentityStandIn, type IdentityStandIn } from '../kit/receivers/microsoft/identity.ts';
import { startGraphStandIn, type GraphStandIn } from '../kit/receivers/microsoft/graph.ts';

const TEAMS_SIG = 'ApiTeamsSig-sEcReT-4f7e2a9c1b';
const CHIME_TOKEN = 'ApiChimeToken-sEcReT-8d3b6e';
const GRAPH_SECRET = 'Api~Graph.Secret-0f1e2d3c4b5a';
const TENANT = '8f2c1a3e-1111-4c4c-9999-0123456789ab';
const CLIENT = '0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab';
const ROLE = 'arn:aws:iam::123456789012:role/vigil-api';

let h: Harness;
let admin: Record<string, string>;
let teams: TeamsStandIn;
let chime: ChimeStandIn;
let sns: SnsStandIn;
let sts: StsStandIn;
let ses: SesStandIn;
let idp: IdentityStandIn;
let graph: GraphStandIn;

beforeAll(async () => {
  const keys = new AwsKeyring();
  teams = await startTeamsStandIn({ sig: TEAMS_SIG });
  chime = await startChimeStandIn({ token: CHIME_TOKEN });
  sns = await startSnsStandIn({ keys, region: 'eu-west-1', topics: ['alerts'] });
  sts = await startStsStandIn({ keys, region: 'eu-west-1', roles: [{ arn: ROLE }] });
  ses = await startSesStandIn({ keys, region: 'eu-west-1', identities: ['example.com'] });
  let graphUrl = '';
  graph = await startGraphStandIn({ identity: { check: (t: string) => idp.check(t, graphUrl) } as unknown as IdentityStandIn, tenant: TENANT, mailboxes: ['vigil@example.com'] });
  graphUrl = graph.url;
  idp = await startIdentityStandIn({ tenants: { [TENANT]: { apps: [{ clientId: CLIENT, secret: GRAPH_SECRET }] } }, resources: [graph.url] });
  h = await startHarness({ egressAllow: ['127.0.0.1'] });
  admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
});
afterAll(async () => {
  await h?.close();
  await Promise.all([teams, chime, sns, sts, ses, idp, graph].map((s) => s?.close()));
});

const put = (path: string, payload: unknown) => h.call({ method: 'PUT', url: `/_signals/account/${path}`, headers: admin, payload: payload as object });
const test = (path: string, payload: unknown = {}) => h.call({ method: 'POST', url: `/_signals/account/${path}/_test`, headers: admin, payload: payload as object });

describe('channel and sender accounts over the REST API', () => {
  it('PUT creates each new type (201); GET shows the secrets only as set', async () => {
    const bodies: Record<string, unknown> = {
      'teams/chat': { url: teams.workflowUrl },
      'chime/room': { url: chime.webhookUrl },
      'sns/topic': { region: 'eu-west-1', topic_arn: sns.topicArn('alerts'), access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey, role_arn: ROLE, endpoint: sns.url, sts_endpoint: sts.url },
      'ses/mail': { region: 'eu-west-1', from: 'Vigil <vigil@example.com>', access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey, endpoint: ses.url },
      'exchange/o365': { tenant_id: TENANT, client_id: CLIENT, client_secret: GRAPH_SECRET, from: 'vigil@example.com', authority_url: idp.url, graph_url: graph.url },
      'email_group/oncall': { description: 'on-call', emails: ['Alice <alice@example.com>', 'bob@example.com'] },
    };
    for (const [path, body] of Object.entries(bodies)) {
      const res = await put(path, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(201);
    }
    const snsDoc = (await h.call({ method: 'GET', url: '/_signals/account/sns/topic', headers: admin })).json();
    expect(snsDoc._source).toMatchObject({ region: 'eu-west-1', access_key_id: TEST_USER.accessKeyId, secret_access_key: { set: true } });
    expect((await h.call({ method: 'GET', url: '/_signals/account/teams/chat', headers: admin })).json()._source).toMatchObject({ url: { set: true } });
    expect((await h.call({ method: 'GET', url: '/_signals/account/email_group/oncall', headers: admin })).json()._source).toMatchObject({ emails: ['Alice <alice@example.com>', 'bob@example.com'] });
  });

  it('refuses bad bodies with the field path, without echoing a secret', async () => {
    const res = await put('ses/bad', { region: 'mars-1', access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey, from: 'not an address', sts_endpoint: 'https://sts.example' });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().detail).sort()).toEqual(['from', 'region', 'sts_endpoint']);
    const group = await put('email_group/bad', { emails: ['ok@example.com', 'nope'], secret: 'x' });
    expect(group.statusCode).toBe(400);
    expect(Object.keys(group.json().detail).sort()).toEqual(['emails[1]', 'secret']);
  });

  it('_test sends through each real path', async () => {
    for (const [path, body] of [
      ['teams/chat', { text: 'api test' }],
      ['chime/room', { text: 'api test' }],
      ['sns/topic', { message: 'api test' }],
      ['ses/mail', { to: ['ops@example.com', { group: 'oncall' }] }],
      ['exchange/o365', { to: 'ops@example.com' }],
      ['email_group/oncall', { account: 'ses:mail' }],
      ['email_group/oncall', { account: 'exchange:o365' }],
    ] as const) {
      const res = await test(path, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      expect(res.json(), path).toMatchObject({ ok: true });
    }
    expect(teams.posted()).toHaveLength(1);
    expect(teams.failedRuns()).toEqual([]);
    expect(chime.messages().map((m) => m.content)).toEqual(['api test']);
    expect(sns.published().map((p) => [p.message, p.accessKeyId.slice(0, 4)])).toEqual([['api test', 'ASIA']]);
    expect(ses.sent().map((m) => m.to)).toEqual([['ops@example.com', 'alice@example.com', 'bob@example.com'], ['alice@example.com', 'bob@example.com']]);
    expect(graph.sent().map((m) => m.message.toRecipients!.map((r) => r.emailAddress.address))).toEqual([['ops@example.com'], ['alice@example.com', 'bob@example.com']]);
    // A group test through an account that is not a sender is refused, naming why.
    const notSender = await test('email_group/oncall', { account: 'slack:chat' });
    expect(notSender.json()).toMatchObject({ ok: false, code: 'ACCOUNT_NOT_FOUND' });
    const failing = await test('exchange/o365', { to: 'ops@example.com', extra: 1 });
    expect(failing.statusCode).toBe(400);
  });

  it('a watch names a sender as ses:<id> and a group; deleting either is 409 naming the watch; an unknown group is refused', async () => {
    const watch = (to: unknown) => ({ trigger: { schedule: { interval: '1h' } }, actions: [{ type: 'email', name: 'mail', account: 'ses:mail', to, subject: 's', text_body: 'b' }] });
    const ok = await h.call({ method: 'PUT', url: '/_signals/watch/_main/mailer', headers: admin, payload: watch([{ group: 'oncall' }]) });
    expect(ok.statusCode, ok.body).toBe(201);
    for (const path of ['email_group/oncall', 'ses/mail']) {
      const del = await h.call({ method: 'DELETE', url: `/_signals/account/${path}`, headers: admin });
      expect(del.statusCode, path).toBe(409);
      expect(del.json().error).toContain('_main/mailer');
    }
    const unknown = await h.call({ method: 'PUT', url: '/_signals/watch/_main/lost', headers: admin, payload: watch(['a@example.com', { group: 'nobody' }]) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().detail).toEqual({ 'actions[0].to[1]': [{ error: "no email_group account 'nobody'" }] });
  });

  it('no secret or token in any response, log line, audit record or account file', async () => {
    const secrets = {
      teams: TEAMS_SIG,
      chime: CHIME_TOKEN,
      aws: TEST_USER.secretAccessKey,
      graph: GRAPH_SECRET,
      ...Object.fromEntries(sts.issued().flatMap((s, i) => [[`sts-secret-${i}`, s.secretAccessKey], [`sts-token-${i}`, s.sessionToken]])),
      ...Object.fromEntries(idp.issued().map((t, i) => [`graph-token-${i}`, t.token])),
    };
    expect(Object.keys(secrets).length).toBeGreaterThan(6);
    const files: string[] = [];
    for (const e of await readdir(join(h.base, 'accounts'), { withFileTypes: true, recursive: true })) if (e.isFile()) files.push(await readFile(join(e.parentPath, e.name), 'utf8'));
    const audit = JSON.stringify(await h.security.auditLog.query({ size: 10_000 }));
    const haystacks = { responses: h.bodies.join('\n'), logs: h.logs.join(''), audit, files: files.join('\n') };
    const hits: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) for (const [name, s] of Object.entries(secrets)) if (text.includes(s)) hits.push(`${name} in ${where}`);
    expect(hits).toEqual([]);
  });
});

describe('with the e-mail action disabled on the node', () => {
  let off: Harness;
  beforeAll(async () => {
    off = await startHarness({ egressAllow: ['127.0.0.1'], disabledActionTypes: ['email'] });
  });
  afterAll(() => off?.close());

  it('its SES, Exchange and group accounts can be managed, but their _test answers 403 and sends nothing', async () => {
    const auth = { authorization: bearer(await off.tokenFor('root', ['admin'])) };
    const body = { region: 'eu-west-1', access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey, endpoint: ses.url, from: 'vigil@example.com' };
    expect((await off.call({ method: 'PUT', url: '/_signals/account/ses/mail', headers: auth, payload: body })).statusCode).toBe(201);
    const before = ses.requests.length;
    const res = await off.call({ method: 'POST', url: '/_signals/account/ses/mail/_test', headers: auth, payload: { to: 'ops@example.com' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'ACTION_TYPE_DISABLED' });
    expect(ses.requests.length).toBe(before);
  });
});
