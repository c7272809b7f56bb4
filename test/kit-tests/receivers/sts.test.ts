import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsKeyring, TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import type { AwsTestCredentials } from '../../kit/receivers/aws/signed-request.ts';
import { startSnsStandIn, type SnsStandIn } from '../../kit/receivers/aws/sns.ts';
import { startStsStandIn, type StsStandIn } from '../../kit/receivers/aws/sts.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { HOSTILE, queryCall, queryErrorOf, xml } from './aws-helpers.ts';

const clock = new FakeClock('2025-06-01T08:00:00Z');
const keys = new AwsKeyring();
const ROLE = 'arn:aws:iam::123456789012:role/vigil-publisher';
const GUARDED = 'arn:aws:iam::123456789012:role/vigil-guarded';
let sts: StsStandIn;
let sns: SnsStandIn;

beforeAll(async () => {
  sts = await startStsStandIn({
    keys,
    clock,
    roles: [{ arn: ROLE }, { arn: GUARDED, externalId: 'ext-4711', maxSessionDuration: 7200 }],
  });
  sns = await startSnsStandIn({ keys, clock, topics: ['alerts'] });
});
afterAll(async () => {
  await sts.close();
  await sns.close();
});

const assume = (params: Record<string, string>, creds: AwsTestCredentials = TEST_USER, over = {}) =>
  queryCall(sts.url, 'sts', 'us-east-1', { Action: 'AssumeRole', Version: '2011-06-15', ...params }, clock, creds, over);

describe('STS stand-in: AssumeRole', () => {
  it('answers the real AssumeRoleResponse and the issued keys publish to SNS until they expire', async () => {
    const r = await assume({ RoleArn: ROLE, RoleSessionName: 'vigil-1', DurationSeconds: '900' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/xml');
    const res = xml(r.body).AssumeRoleResponse;
    expect(res['@_xmlns']).toBe('https://sts.amazonaws.com/doc/2011-06-15/');
    const c = res.AssumeRoleResult.Credentials;
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.Expiration).toBe('2025-06-01T08:15:00Z');
    expect(res.AssumeRoleResult.AssumedRoleUser.Arn).toBe('arn:aws:sts::123456789012:assumed-role/vigil-publisher/vigil-1');
    expect(res.AssumeRoleResult.AssumedRoleUser.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:vigil-1$/);
    expect(res.ResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sts.issued()).toHaveLength(1);

    const temp = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const publish = () =>
      queryCall(sns.url, 'sns', 'us-east-1', { Action: 'Publish', Version: '2010-03-31', TopicArn: sns.topicArn('alerts'), Message: 'hi' }, clock, temp);
    expect((await publish()).status).toBe(200);
    expect(sns.published().at(-1)!.accessKeyId).toBe(c.AccessKeyId);

    const noToken = await queryCall(sns.url, 'sns', 'us-east-1', { Action: 'Publish', Version: '2010-03-31', TopicArn: sns.topicArn('alerts'), Message: 'hi' }, clock, {
      accessKeyId: temp.accessKeyId,
      secretAccessKey: temp.secretAccessKey,
    });
    expect(noToken.status).toBe(403);
    expect(queryErrorOf(noToken)).toMatchObject({ Code: 'InvalidClientTokenId', Message: 'The security token included in the request is invalid.' });

    const chained = await assume({ RoleArn: ROLE, RoleSessionName: 'chained' }, temp);
    expect(queryErrorOf(chained)).toMatchObject({
      Code: 'AccessDenied',
      Message: `User: arn:aws:sts::123456789012:assumed-role/vigil-publisher/vigil-1 is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
    });

    await clock.advance(15 * 60_000);
    const expired = await publish();
    expect(expired.status).toBe(403);
    expect(queryErrorOf(expired)).toMatchObject({ Type: 'Sender', Code: 'ExpiredToken', Message: 'The security token included in the request is expired' });
  });

  it('accepts keys added to the keyring and refuses them once removed', async () => {
    const second = { accessKeyId: 'AKIAVIGILTEST0000002', secretAccessKey: 'second/Secret+Key0123456789abcdefghijkl', userArn: 'arn:aws:iam::123456789012:user/second' };
    keys.addUser(second);
    expect((await assume({ RoleArn: ROLE, RoleSessionName: 's2' }, second)).status).toBe(200);
    keys.remove(second.accessKeyId);
    expect(queryErrorOf(await assume({ RoleArn: ROLE, RoleSessionName: 's2' }, second)).Code).toBe('InvalidClientTokenId');
  });

  it('lets credentialLifetimeSeconds shorten the session and says so in Expiration', async () => {
    const short = await startStsStandIn({ keys, clock, roles: [{ arn: ROLE }], credentialLifetimeSeconds: 5 });
    try {
      const r = await queryCall(short.url, 'sts', 'us-east-1', { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: ROLE, RoleSessionName: 's1' }, clock);
      const exp = Date.parse(xml(r.body).AssumeRoleResponse.AssumeRoleResult.Credentials.Expiration);
      expect(exp - clock.now()).toBe(5000);
    } finally {
      await short.close();
    }
  });

  it('refuses unknown roles, and a guarded role without its external id, as AccessDenied', async () => {
    const unknown = await assume({ RoleArn: 'arn:aws:iam::123456789012:role/nope', RoleSessionName: 's1' });
    expect(unknown.status).toBe(403);
    expect(queryErrorOf(unknown)).toEqual({
      Type: 'Sender',
      Code: 'AccessDenied',
      Message: 'User: arn:aws:iam::123456789012:user/vigil is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/nope',
    });
    expect(queryErrorOf(await assume({ RoleArn: GUARDED, RoleSessionName: 's1' })).Code).toBe('AccessDenied');
    expect(queryErrorOf(await assume({ RoleArn: GUARDED, RoleSessionName: 's1', ExternalId: 'ext-0000' })).Code).toBe('AccessDenied');
    expect((await assume({ RoleArn: GUARDED, RoleSessionName: 's1', ExternalId: 'ext-4711', DurationSeconds: '7200' })).status).toBe(200);
  });

  it('validates RoleSessionName, ExternalId and DurationSeconds as STS does', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ RoleArn: ROLE }, /Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null/],
      [{ RoleArn: ROLE, RoleSessionName: 'a' }, /at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64/],
      [{ RoleArn: ROLE, RoleSessionName: 'has space' }, /Member must satisfy regular expression pattern/],
      [{ RoleArn: ROLE, RoleSessionName: 's1', ExternalId: 'bad id' }, /at 'externalId'/],
      [{ RoleArn: ROLE, RoleSessionName: 's1', DurationSeconds: '899' }, /Member must have value greater than or equal to 900/],
      [{ RoleArn: ROLE, RoleSessionName: 's1', DurationSeconds: '7200' }, /exceeds the MaxSessionDuration set for this role/],
      [{ RoleSessionName: 's1' }, /Value null at 'roleArn'/],
    ];
    for (const [params, message] of cases) {
      const r = await assume(params);
      expect(r.status, JSON.stringify(params)).toBe(400);
      const e = queryErrorOf(r);
      expect(e.Code).toBe('ValidationError');
      expect(e.Message).toMatch(message);
    }
  });

  it('keeps the error XML well formed around a hostile RoleArn and refuses unknown parameters', async () => {
    const r = await assume({ RoleArn: `arn:aws:iam::123456789012:role/${HOSTILE}\u0001`, RoleSessionName: 's1' });
    expect(queryErrorOf(r).Message).toContain('<tag a="1">&amp;');
    const extra = await assume({ RoleArn: ROLE, RoleSessionName: 's1', Policy: '{}' });
    expect(queryErrorOf(extra)).toMatchObject({ Code: 'InvalidParameterValue', Message: 'The parameter Policy is not recognized' });
  });

  it('answers signature problems and throttling in ErrorResponse XML', async () => {
    const wrong = await assume({ RoleArn: ROLE, RoleSessionName: 's1' }, { ...TEST_USER, secretAccessKey: 'not-the-secret' });
    expect(wrong.status).toBe(403);
    expect(queryErrorOf(wrong).Code).toBe('SignatureDoesNotMatch');
    const stale = await assume({ RoleArn: ROLE, RoleSessionName: 's1' }, TEST_USER, { date: new Date(clock.now() - 20 * 60_000) });
    expect(queryErrorOf(stale)).toMatchObject({ Code: 'SignatureDoesNotMatch', Message: expect.stringMatching(/^Signature expired: /) });
    const unknown = await assume({ RoleArn: ROLE, RoleSessionName: 's1' }, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' });
    expect(queryErrorOf(unknown).Code).toBe('InvalidClientTokenId');
    sts.throttle();
    const throttled = await assume({ RoleArn: ROLE, RoleSessionName: 's1' });
    expect(throttled.status).toBe(400);
    expect(queryErrorOf(throttled)).toMatchObject({ Code: 'Throttling', Message: 'Rate exceeded' });
    expect((await assume({ RoleArn: ROLE, RoleSessionName: 's1' })).status).toBe(200);
  });
});
