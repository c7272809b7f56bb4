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
