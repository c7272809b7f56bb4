import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsKeyring, TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { startSesStandIn, type SesStandIn } from '../../kit/receivers/aws/ses.ts';
import { signedCall, type AwsTestCredentials } from '../../kit/receivers/aws/signed-request.ts';
import { startStsStandIn, type StsStandIn } from '../../kit/receivers/aws/sts.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { HOSTILE, queryCall, xml } from './aws-helpers.ts';

const clock = new FakeClock('2025-06-01T08:00:00Z');
const keys = new AwsKeyring();
let ses: SesStandIn;
let sts: StsStandIn;

beforeAll(async () => {
  ses = await startSesStandIn({ keys, clock, region: 'eu-west-1', identities: ['alerts@vigil.example', 'ops.example'], configurationSets: ['tracked'] });
  sts = await startStsStandIn({ keys, clock, region: 'eu-west-1', roles: [{ arn: 'arn:aws:iam::123456789012:role/mailer' }] });
});
afterAll(async () => {
  await ses.close();
  await sts.close();
});

const send = (body: unknown, creds: AwsTestCredentials = TEST_USER, over = {}) =>
  signedCall({
    url: ses.url,
    path: '/v2/email/outbound-emails',
    service: 'ses',
    region: 'eu-west-1',
    credentials: creds,
    date: new Date(clock.now()),
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...over,
  }).then((r) => ({ ...r, json: r.body ? JSON.parse(r.body) : undefined, type: r.headers['x-amzn-errortype']?.split(':')[0] }));

const simple = (over: Record<string, unknown> = {}) => ({
  FromEmailAddress: '"Vigil Alerts" <alerts@vigil.example>',
  Destination: { ToAddresses: ['oncall@ops.example'], CcAddresses: ['Lead <lead@elsewhere.example>'], BccAddresses: ['audit@elsewhere.example'] },
  Content: { Simple: { Subject: { Data: `Disk full ${HOSTILE}`, Charset: 'UTF-8' }, Body: { Text: { Data: `text ${HOSTILE}` }, Html: { Data: `<p>${HOSTILE}</p>` } } } },
  ...over,
});

const mime = (headers: string, body = 'Body line\r\n') => Buffer.from(`${headers.replace(/\n/g, '\r\n')}\r\n\r\n${body}`, 'utf8').toString('base64');

describe('SES v2 stand-in: SendEmail', () => {
  it('sends simple content from a verified identity and records it', async () => {
    const r = await send(simple({ ReplyToAddresses: ['noreply@vigil.example'], ConfigurationSetName: 'tracked', EmailTags: [{ Name: 'watch', Value: 'disk-full' }] }));
    expect(r.status).toBe(200);
    expect(r.json.MessageId).toMatch(/^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/);
    const m = ses.sent().at(-1)!;
    expect(m).toMatchObject({
      messageId: r.json.MessageId,
      from: 'alerts@vigil.example',
      fromHeader: '"Vigil Alerts" <alerts@vigil.example>',
      to: ['oncall@ops.example'],
      cc: ['lead@elsewhere.example'],
      bcc: ['audit@elsewhere.example'],
      replyTo: ['noreply@vigil.example'],
      configurationSet: 'tracked',
      tags: { watch: 'disk-full' },
      simple: { subject: `Disk full ${HOSTILE}`, text: `text ${HOSTILE}`, html: `<p>${HOSTILE}</p>`, charsets: { subject: 'UTF-8' } },
    });
  });

  it('sends raw MIME, parsed with mailparser, taking sender and recipients from its headers', async () => {
    const data = mime(
      'From: =?UTF-8?B?VmlnaWwg4pyT?= <alerts@vigil.example>\nTo: a@ops.example, b@ops.example\nSubject: =?UTF-8?Q?caf=C3=A9?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit',
      'Grüße ✓\r\n',
    );
    const r = await send({ Content: { Raw: { Data: data } } });
    expect(r.status).toBe(200);
    const m = ses.sent().at(-1)!;
    expect(m.from).toBe('alerts@vigil.example');
    expect(m.to).toEqual(['a@ops.example', 'b@ops.example']);
    expect(m.raw!.subject).toBe('café');
    expect(m.raw!.from!.value[0]!.name).toBe('Vigil ✓');
    expect(m.raw!.text).toBe('Grüße ✓\n');
  });

  it('refuses raw messages that are not base64 or whose headers are not 7-bit', async () => {
    expect((await send({ Content: { Raw: { Data: 'not base64!' } } })).json.message).toBe("'Content.Raw.Data' is not valid base64.");
    const r = await send({ Content: { Raw: { Data: mime('From: Vigil ✓ <alerts@vigil.example>\nTo: a@ops.example\nSubject: x') } } });
    expect([r.status, r.type]).toEqual([400, 'BadRequestException']);
    expect(r.json.message).toMatch(/^Illegal header: non-ASCII/);
    expect((await send({ Content: { Raw: { Data: mime('To: a@ops.example\nSubject: x') } } })).json.message).toBe("Missing required header 'From'.");
  });

  it('rejects an unverified sender, and in the sandbox unverified recipients, with MessageRejected', async () => {
    const r = await send(simple({ FromEmailAddress: 'Someone <someone@elsewhere.example>' }));
    expect([r.status, r.type]).toEqual([400, 'MessageRejected']);
    expect(r.json).toEqual({ message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: Someone <someone@elsewhere.example>' });
    expect((await send(simple({ FromEmailAddress: 'anyone@ops.example' }))).status).toBe(200);
    const sandbox = await startSesStandIn({ keys, clock, region: 'eu-west-1', identities: ['alerts@vigil.example', 'ops.example'], sandbox: true });
    try {
      const s = await signedCall({
        url: sandbox.url,
        path: '/v2/email/outbound-emails',
        service: 'ses',
        region: 'eu-west-1',
        credentials: TEST_USER,
        date: new Date(clock.now()),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(simple()),
      });
      expect(JSON.parse(s.body).message).toMatch(/failed the check in region EU-WEST-1: lead@elsewhere\.example, audit@elsewhere\.example$/);
    } finally {
      await sandbox.close();
    }
  });

  it('validates the body strictly with BadRequestException naming the problem', async () => {
    const cases: Array<[unknown, string | RegExp]> = [
      ['{"FromEmailAddress": ', 'The request body is not valid JSON.'],
      [simple({ Unknown: 1 }), "Unexpected field 'Unknown'."],
      [simple({ Destination: { To: ['a@ops.example'] } }), "Unexpected field 'Destination.To'."],
      [simple({ FromEmailAddress: 'Vigil ✓ <alerts@vigil.example>' }), /^Illegal address: non-ASCII/],
      [simple({ FromEmailAddress: 'alerts' }), "Missing final '@domain'"],
      [simple({ Destination: { ToAddresses: ['a@ops.example\r\nBcc: x@evil.example'] } }), 'Local address contains control or whitespace'],
      [simple({ Destination: { ToAddresses: Array.from({ length: 51 }, (_, i) => `u${i}@ops.example`) } }), 'Recipient count exceeds 50.'],
      [simple({ Destination: {} }), 'At least one recipient is required.'],
      [simple({ Content: { Simple: { Subject: { Data: 's' }, Body: {} } } }), "'Content.Simple.Body' must contain Text, Html or both."],
      [simple({ Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } }, Headers: [{ Name: 'X-A', Value: 'v\r\nInjected: 1' }] } } }), "Invalid value for header 'X-A'."],
      [simple({ Content: {} }), 'Exactly one of Content.Simple, Content.Raw or Content.Template must be given.'],
      [simple({ Content: { Template: { TemplateName: 't' } } }), "'Content.Template' is not modelled by this stand-in."],
    ];
    for (const [body, message] of cases) {
      const r = await send(body);
      expect([r.status, r.type], JSON.stringify(body).slice(0, 80)).toEqual([400, 'BadRequestException']);
      expect(r.json.message).toMatch(message);
    }
    expect((await send(simple({ Destination: { ToAddresses: Array.from({ length: 50 }, (_, i) => `u${i}@ops.example`) } }))).status).toBe(200);
  });

  it('answers an unknown configuration set, a paused or suspended account and throttling', async () => {
    const nf = await send(simple({ ConfigurationSetName: 'missing' }));
    expect([nf.status, nf.type, nf.json.message]).toEqual([404, 'NotFoundException', 'Configuration set <missing> does not exist.']);
    ses.setAccountState('paused');
    expect((await send(simple())).type).toBe('SendingPausedException');
    ses.setAccountState('suspended');
    expect((await send(simple())).type).toBe('AccountSuspendedException');
    ses.setAccountState('active');
    ses.throttle();
    const t = await send(simple());
    expect([t.status, t.type, t.json]).toEqual([429, 'TooManyRequestsException', { message: 'Maximum sending rate exceeded.' }]);
    expect(t.headers['x-amzn-errortype']).toMatch(/^TooManyRequestsException:/);
    expect((await send(simple())).status).toBe(200);
  });

  it('answers signature problems in REST-JSON form and takes STS session keys until they expire', async () => {
    const unknown = await send(simple(), { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
    expect([unknown.status, unknown.type]).toEqual([403, 'UnrecognizedClientException']);
    const wrong = await send(simple(), { ...TEST_USER, secretAccessKey: 'wrong' });
    expect([wrong.status, wrong.type]).toEqual([403, 'InvalidSignatureException']);
    const stale = await send(simple(), TEST_USER, { date: new Date(clock.now() - 16 * 60_000) });
    expect([stale.type, stale.json.message.startsWith('Signature expired: ')]).toEqual(['InvalidSignatureException', true]);
    const unsigned = await send(simple(), TEST_USER, { tamper: (r: { headers: Record<string, string> }) => void delete r.headers.authorization });
    expect([unsigned.type, unsigned.json.message]).toEqual(['MissingAuthenticationTokenException', 'Missing Authentication Token']);

    const a = await queryCall(sts.url, 'sts', 'eu-west-1', { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::123456789012:role/mailer', RoleSessionName: 'mailer' }, clock);
    const c = xml(a.body).AssumeRoleResponse.AssumeRoleResult.Credentials;
    const temp = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    expect((await send(simple(), temp)).status).toBe(200);
    expect((await send(simple(), { ...temp, sessionToken: undefined })).type).toBe('UnrecognizedClientException');
    await clock.advance(3600_000);
    const expired = await send(simple(), temp);
    expect([expired.status, expired.type, expired.json.message]).toEqual([403, 'ExpiredTokenException', 'The security token included in the request is expired']);
  });
});
