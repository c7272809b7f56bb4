/**
 * The SES sender against the SES v2 stand-in (SigV4 verified with the known secret, SendEmail read as
 * SES reads it, raw MIME parsed): the raw message, Bcc kept out of its headers, more than 50 recipients,
 * an assumed role, the configuration set, and the classification of SES's refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonError } from '../../kit/receivers/aws/protocol.ts';
import { TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { HOSTILE } from '../../kit/action-deps.ts';
import { silentLogger } from '../../../src/log.ts';
import { builtinRegistry } from '../../../src/registry/builtin.ts';
import { accountHttp } from '../../../src/actions/shared/account-destination.ts';
import type { SesAccount } from '../../../src/actions/email/ses/account.ts';
import { ROLE, startSenderKit, type SenderKit } from './sender-kit.ts';
import { deliverDeps } from '../../kit/action-deps.ts';
import { routeAwsEndpoints } from '../../kit/receivers/aws/route.ts';
import { emailAction } from '../../../src/actions/email/index.ts';
import type { TestAccountDeps } from '../../../src/actions/types.ts';

let kit: SenderKit;
beforeAll(async () => {
  kit = await startSenderKit();
});
afterAll(async () => kit.close());

const ses = () => kit.account('ses') as SesAccount;
const secretsIn = (text: string) => [TEST_USER.secretAccessKey, ...kit.sts.issued().flatMap((s) => [s.secretAccessKey, s.sessionToken])].filter((s) => text.includes(s));

describe('email through an ses account', () => {
  it('sends raw MIME with a stable Message-ID; Bcc only in Destination; hostile values intact', async () => {
    const n = kit.render({ to: 'Ops "Team" <ops@example.com>', bcc: 'hidden@example.com', reply_to: 'noc@example.com', subject: 'Ärger: {{data.v}}', html_body: '<p>{{data.v}}</p>' }, { v: HOSTILE.replace(/\n/g, ' ') });
    const first = await kit.deliver(n, 'ses', ses(), 'idem-stable');
    expect(first.result).toMatchObject({ ok: true, response: { MessageIds: [kit.ses.sent().at(-1)!.messageId] } });
    const sent = kit.ses.sent().at(-1)!;
    expect(sent).toMatchObject({ from: 'vigil@example.com', to: ['ops@example.com'], bcc: ['hidden@example.com'], accessKeyId: TEST_USER.accessKeyId });
    expect(sent.raw!.subject).toBe(`Ärger: ${HOSTILE.replace(/\n/g, ' ')}`);
    expect(sent.raw!.headers.has('bcc')).toBe(false);
    expect(sent.raw!.replyTo?.value[0]?.address).toBe('noc@example.com');
    expect(sent.raw!.html).toContain('&lt;script&gt;');
    expect(sent.raw!.html).not.toContain('<script>');
    const messageId = sent.raw!.messageId;
    await kit.deliver(n, 'ses', ses(), 'idem-stable');
    expect(kit.ses.sent().at(-1)!.raw!.messageId).toBe(messageId);
    expect(secretsIn(first.logText() + JSON.stringify(first.result))).toEqual([]);
  });

  it('splits more than 50 recipients into messages of at most 50, the same headers on each', async () => {
    const many = Array.from({ length: 120 }, (_, i) => `user${i}@example.com`);
    kit.groups.set('everyone', { emails: many });
    const before = kit.ses.sent().length;
    const { result } = await kit.deliver(kit.render({ to: { group: 'everyone' }, cc: 'lead@example.com', subject: 's', text_body: 'b' }), 'ses');
    expect(result).toMatchObject({ ok: true });
    const sent = kit.ses.sent().slice(before);
    expect(sent.map((m) => m.to.length + m.cc.length + m.bcc.length)).toEqual([50, 50, 21]);
    expect(sent.flatMap((m) => [...m.to, ...m.cc]).sort()).toEqual([...many, 'lead@example.com'].sort());
    expect(new Set(sent.map((m) => m.raw!.messageId)).size).toBe(1);
  });

  it('assumes its role through STS and uses the configuration set', async () => {
    const before = kit.sts.issued().length;
    const account = kit.account('ses', { role_arn: ROLE, sts_endpoint: kit.sts.url, configuration_set: 'alerts' });
    const { result, logText } = await kit.deliver(kit.render({ to: 'ops@example.com', subject: 's', text_body: 'b' }), 'ses', account);
    expect(result).toMatchObject({ ok: true });
    expect(kit.sts.issued().length).toBe(before + 1);
    expect(kit.ses.sent().at(-1)).toMatchObject({ accessKeyId: kit.sts.issued().at(-1)!.accessKeyId, configurationSet: 'alerts' });
    expect(secretsIn(logText() + JSON.stringify(result))).toEqual([]);
  });

  it('throttling, 5xx and no answer are retried; a rejected sender, a paused or suspended account, an unknown configuration set and a wrong key are not', async () => {
    const n = kit.render({ to: 'ops@example.com', subject: 's', text_body: 'b' });
    kit.ses.throttle();
    expect((await kit.deliver(n, 'ses')).result).toMatchObject({ ok: false, retry: true, code: 'THROTTLED' });
    kit.ses.fault(jsonError({ status: 503, code: 'ServiceUnavailable', message: 'try later' }));
    expect((await kit.deliver(n, 'ses')).result).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    kit.ses.fault({ hang: true });
    expect((await kit.deliver(n, 'ses')).result).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    const unverified = await kit.deliver(kit.render({ to: 'ops@example.com', from: 'someone@unverified.org', subject: 's', text_body: 'b' }), 'ses');
    expect(unverified.result).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX', message: expect.stringContaining('SES 400 MessageRejected') });
    kit.ses.setAccountState('paused');
    expect((await kit.deliver(n, 'ses')).result).toMatchObject({ ok: false, retry: false, message: expect.stringContaining('SendingPausedException') });
    kit.ses.setAccountState('active');
    const noSet = await kit.deliver(n, 'ses', kit.account('ses', { configuration_set: 'nope' }));
    expect(noSet.result).toMatchObject({ ok: false, retry: false, message: expect.stringContaining('NotFoundException') });
    const wrong = await kit.deliver(n, 'ses', kit.account('ses', { secret_access_key: 'wrong/secret+key/000000000000000000000000' }));
    expect(wrong.result).toMatchObject({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('InvalidSignatureException') });
    expect(JSON.stringify(wrong.result)).not.toContain('wrong/secret+key');
  });

  it("declares SES's endpoint (and STS's with a role) as where its secrets go; _test sends through the real path", async () => {
    const type = builtinRegistry().accountType('ses')!;
    expect(type.manifest.destination(kit.account('ses', { endpoint: undefined }))!.origins).toEqual(['https://email.eu-west-1.amazonaws.com']);
    expect(type.manifest.destination(kit.account('ses', { role_arn: ROLE, endpoint: undefined }))!.origins).toEqual(['https://email.eu-west-1.amazonaws.com', 'https://sts.eu-west-1.amazonaws.com']);
    const account = ses();
    const before = kit.ses.sent().length;
    kit.groups.set('testers', { emails: ['t1@example.com'] });
    const r = await type.manifest.test!.run(account, { to: ['ops@example.com', { group: 'testers' }] }, {
      http: accountHttp({ account: type.manifest }, account, kit.http),
      clock: kit.clock,
      logger: silentLogger(),
      signal: new AbortController().signal,
      egress: undefined as never,
      lookupAccount: async (_t, id) => kit.groups.get(id),
    });
    expect(r).toMatchObject({ ok: true });
    expect(kit.ses.sent().slice(before).map((m) => [m.raw!.subject, m.to])).toEqual([['Vigil test message', ['ops@example.com', 't1@example.com']]]);
  });
});

describe("an ses account without keys: the daemon's own credentials", () => {
  const type = () => builtinRegistry().accountType('ses')!;
  const keyless = (over: Record<string, unknown> = {}) => type().manifest.schema.parse({ region: 'eu-west-1', from: 'Vigil <vigil@example.com>', ...over }) as SesAccount;
  /** AWS's own SES and STS endpoints of eu-west-1, answered by the stand-ins. */
  const aws = () => routeAwsEndpoints(kit.http, { 'https://email.eu-west-1.amazonaws.com': kit.ses.url, 'https://sts.eu-west-1.amazonaws.com': kit.sts.url });
  const daemon = { accessKeyId: TEST_USER.accessKeyId, secretAccessKey: TEST_USER.secretAccessKey };

  it('sends signed with them, assuming the account\'s role when it names one; they never show', async () => {
    const n = kit.render({ to: 'ops@example.com', subject: 's', text_body: 'b' });
    const before = kit.sts.issued().length;
    for (const account of [keyless(), keyless({ role_arn: ROLE })]) {
      const { deps, logText } = deliverDeps(accountHttp({ account: type().manifest }, account, aws()), account, { accountType: 'ses', clock: kit.clock, daemonAwsCredentials: daemon });
      const r = await emailAction.deliver(n, deps);
      expect(r).toMatchObject({ ok: true });
      expect(secretsIn(logText() + JSON.stringify(r))).toEqual([]);
    }
    expect(kit.sts.issued().length).toBe(before + 1);
    expect(kit.ses.sent().slice(-2).map((m) => m.accessKeyId)).toEqual([TEST_USER.accessKeyId, kit.sts.issued().at(-1)!.accessKeyId]);
  });

  it('_test uses them too; with none anywhere it is AUTH_FAILED, not retried, and nothing is sent', async () => {
    const account = keyless();
    const deps = (creds?: typeof daemon): TestAccountDeps => ({
      http: accountHttp({ account: type().manifest }, account, aws()),
      clock: kit.clock,
      logger: silentLogger(),
      signal: new AbortController().signal,
      egress: undefined as never,
      ...(creds ? { daemonAwsCredentials: creds } : {}),
    });
    expect(await type().manifest.test!.run(account, { to: ['ops@example.com'] }, deps(daemon))).toMatchObject({ ok: true });
    const before = kit.ses.requests.length;
    expect(await type().manifest.test!.run(account, { to: ['ops@example.com'] }, deps())).toEqual({
      ok: false,
      retry: false,
      code: 'AUTH_FAILED',
      message: "no access keys in the account and no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the daemon's environment",
    });
    expect(kit.ses.requests.length).toBe(before);
  });

  it("may name only SES's and STS's own endpoints of its region; with its own keys, any", () => {
    const issues = (a: Record<string, unknown>) => type().manifest.schema.safeParse({ region: 'eu-west-1', from: 'vigil@example.com', ...a }).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ endpoint: 'https://email.eu-west-1.amazonaws.com', role_arn: ROLE, sts_endpoint: 'https://sts-fips.eu-west-1.amazonaws.com' })).toEqual([]);
    expect(issues({ endpoint: kit.ses.url })).toEqual(['endpoint']);
    expect(issues({ endpoint: 'https://sns.eu-west-1.amazonaws.com' })).toEqual(['endpoint']);
    expect(issues({ role_arn: ROLE, sts_endpoint: kit.sts.url })).toEqual(['sts_endpoint']);
    expect(issues({ endpoint: kit.ses.url, role_arn: ROLE, sts_endpoint: kit.sts.url, access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey })).toEqual([]);
    expect(issues({ access_key_id: TEST_USER.accessKeyId })).toEqual(['secret_access_key']);
  });
});
