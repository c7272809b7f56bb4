/**
 * SigV4 signing and STS AssumeRole against the AWS stand-ins, which verify signatures from the AWS
 * specification (not from a signer): requests signed by `signRequest` are accepted, a wrong secret or a
 * stale clock is refused with AWS's codes, values that break a naive encoding survive, and temporary
 * credentials are cached until shortly before they expire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/net/aws/sigv4.ts';
import { assumeRole, AwsServiceError } from '../../../src/net/aws/sts.ts';
import { AwsCredentialProvider } from '../../../src/net/aws/credentials.ts';
import { queryBody, QUERY_CONTENT_TYPE } from '../../../src/net/aws/query.ts';
import { queryError, jsonError, isThrottling, isAuthFailure, isExpiredToken } from '../../../src/net/aws/errors.ts';
import { regionalEndpoint } from '../../../src/net/aws/endpoints.ts';
import type { HttpClient } from '../../../src/net/types.ts';
import { AwsKeyring, TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { startStsStandIn, type StsStandIn } from '../../kit/receivers/aws/sts.ts';
import { startSnsStandIn, type SnsStandIn } from '../../kit/receivers/aws/sns.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { HOSTILE } from '../../kit/action-deps.ts';

const clock = new FakeClock('2025-06-01T08:00:00Z');
const keys = new AwsKeyring();
const ROLE = 'arn:aws:iam::123456789012:role/vigil-publisher';
const GUARDED = 'arn:aws:iam::123456789012:role/vigil-guarded';
let sts: StsStandIn;
let sns: SnsStandIn;
let http: HttpClient;

beforeAll(async () => {
  sts = await startStsStandIn({ keys, clock, region: 'eu-west-1', roles: [{ arn: ROLE }, { arn: GUARDED, externalId: 'ext-4711' }] });
  sns = await startSnsStandIn({ keys, clock, region: 'eu-west-1', topics: ['alerts'] });
  http = createTestHttpClient();
});
afterAll(async () => {
  await http.close();
  await sts.close();
  await sns.close();
});

const publish = async (message: string, credentials = TEST_USER as { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, now = clock.now()) => {
  const body = queryBody([
    ['Action', 'Publish'],
    ['Version', '2010-03-31'],
    ['TopicArn', sns.topicArn('alerts')],
    ['Message', message],
  ]);
  const req = await signRequest({ method: 'POST', url: `${sns.url}/`, headers: { 'content-type': QUERY_CONTENT_TYPE }, body }, { service: 'sns', region: 'eu-west-1', credentials, now });
  return http.request(req);
};

describe('signRequest', () => {
  it('signs a Query request the SNS stand-in accepts, with any text in it intact', async () => {
    const text = `${HOSTILE} + % & = ü 💥 ${'x'.repeat(3000)}`;
    const res = await publish(text);
    expect(res.status, res.body).toBe(200);
    expect(sns.published().at(-1)!.message).toBe(text);
  });

  it('a wrong secret, an unknown key and a stale clock are refused with the Query protocol codes', async () => {
    const wrong = await publish('x', { accessKeyId: TEST_USER.accessKeyId, secretAccessKey: 'not-the-secret' });
    expect(queryError(wrong)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    const unknown = await publish('x', { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
    expect(queryError(unknown)).toMatchObject({ status: 403, code: 'InvalidClientTokenId' });
    const stale = await publish('x', TEST_USER, clock.now() - 20 * 60_000);
    expect(queryError(stale)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch', message: expect.stringContaining('Signature expired') });
  });
});

describe('assumeRole', () => {
  it('returns temporary credentials that SNS accepts, with their expiry', async () => {
    const c = await assumeRole(http, { endpoint: sts.url, region: 'eu-west-1', credentials: TEST_USER, roleArn: ROLE, sessionName: 'vigil-test', durationSeconds: 900, now: clock.now() });
    expect(c.accessKeyId).toMatch(/^ASIA/);
    expect(c.expiresAt).toBe(clock.now() + 900_000);
    expect((await publish('as the role', c)).status).toBe(200);
    expect(sns.published().at(-1)!.accessKeyId).toBe(c.accessKeyId);
  });

  it('sends the external id, and a refusal is an AwsServiceError with the service code', async () => {
    const base = { endpoint: sts.url, region: 'eu-west-1', credentials: TEST_USER, roleArn: GUARDED, sessionName: 'vigil-test', now: clock.now() };
    await expect(assumeRole(http, { ...base, externalId: 'ext-4711' })).resolves.toMatchObject({ sessionToken: expect.any(String) });
    const denied = await assumeRole(http, { ...base, externalId: 'wrong-id' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AwsServiceError);
    expect((denied as AwsServiceError).info).toMatchObject({ status: 403, code: 'AccessDenied' });
    sts.throttle();
    const throttled = await assumeRole(http, { ...base, externalId: 'ext-4711' }).catch((e: unknown) => e);
    expect((throttled as AwsServiceError).info).toMatchObject({ status: 400, code: 'Throttling' });
  });
});

describe('AwsCredentialProvider', () => {
  it('uses long-term keys as they are without a role', async () => {
    const p = new AwsCredentialProvider();
    const before = sts.issued().length;
    const r = await p.resolve({ base: { accessKeyId: 'AKIA1', secretAccessKey: 's' }, stsEndpoint: sts.url, region: 'eu-west-1' }, { http, clock });
    expect(r).toEqual({ credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's' }, assumed: false });
    expect(sts.issued().length).toBe(before);
  });

  it('assumes a role once for concurrent requests, reuses it until 5 min before expiry, then renews', async () => {
    const p = new AwsCredentialProvider();
    const src = { base: { accessKeyId: TEST_USER.accessKeyId, secretAccessKey: TEST_USER.secretAccessKey }, roleArn: ROLE, stsEndpoint: sts.url, region: 'eu-west-1' };
    const before = sts.issued().length;
    const [a, b] = await Promise.all([p.resolve(src, { http, clock }), p.resolve(src, { http, clock })]);
    expect(sts.issued().length).toBe(before + 1);
    expect(a.credentials).toBe(b.credentials);
    // Issued for an hour: still used 54 minutes later, renewed at 55.
    clock.jump(54 * 60_000);
    expect((await p.resolve(src, { http, clock })).credentials).toBe(a.credentials);
    clock.jump(60_000);
    const renewed = await p.resolve(src, { http, clock });
    expect(renewed.credentials).not.toBe(a.credentials);
    expect(sts.issued().length).toBe(before + 2);
    // Another external id is another cache entry; invalidating forgets only the stale one.
    p.invalidate(src, a.credentials);
    expect((await p.resolve(src, { http, clock })).credentials).toBe(renewed.credentials);
    p.invalidate(src, renewed.credentials);
    expect((await p.resolve(src, { http, clock })).credentials).not.toBe(renewed.credentials);
  });

  it('does not cache a failed AssumeRole', async () => {
    const p = new AwsCredentialProvider();
    const src = { base: { accessKeyId: TEST_USER.accessKeyId, secretAccessKey: TEST_USER.secretAccessKey }, roleArn: ROLE, stsEndpoint: sts.url, region: 'eu-west-1' };
    sts.throttle();
    await expect(p.resolve(src, { http, clock })).rejects.toBeInstanceOf(AwsServiceError);
    await expect(p.resolve(src, { http, clock })).resolves.toMatchObject({ assumed: true });
  });
});

describe('AWS error reading', () => {
  it('reads REST-JSON errors by their x-amzn-ErrorType name, and tells throttling, auth and expiry apart', () => {
    const e = jsonError({ status: 429, body: '{"message":"Maximum sending rate exceeded."}', headers: { 'x-amzn-errortype': 'TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.sesv2/' } });
    expect(e).toEqual({ status: 429, code: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' });
    expect(jsonError({ status: 400, body: '{"__type":"com.amazon#BadRequestException","message":"m"}', headers: {} }).code).toBe('BadRequestException');
    expect(jsonError({ status: 502, body: '<html>bad gateway</html>', headers: {} })).toEqual({ status: 502, code: '', message: '' });
    expect(queryError({ status: 500, body: 'not xml <' })).toMatchObject({ code: '' });
    expect(['Throttling', 'Throttled', 'TooManyRequestsException'].every(isThrottling)).toBe(true);
    expect(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied', 'AuthorizationError', 'UnrecognizedClientException'].every(isAuthFailure)).toBe(true);
    expect(['ExpiredToken', 'ExpiredTokenException'].every(isExpiredToken)).toBe(true);
    expect(isThrottling('InvalidParameter') || isAuthFailure('InvalidParameter')).toBe(false);
  });

  it('derives regional endpoints per partition', () => {
    expect(regionalEndpoint('sns', 'eu-west-1')).toBe('https://sns.eu-west-1.amazonaws.com');
    expect(regionalEndpoint('email', 'cn-north-1')).toBe('https://email.cn-north-1.amazonaws.com.cn');
  });
});
