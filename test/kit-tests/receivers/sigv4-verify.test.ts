import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySigV4, type SigV4Key, type SigV4Request } from '../../kit/receivers/aws/sigv4-verify.ts';
import { signedCall, type AwsTestCredentials } from '../../kit/receivers/aws/signed-request.ts';
import { startService, type ServiceStandIn } from '../../kit/receivers/service.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { CASES, IAM_CANONICAL, IAM_CANONICAL_SHA256, SUITE } from './sigv4-vectors.ts';

const suiteKey: SigV4Key = { accessKeyId: SUITE.accessKeyId, secretAccessKey: SUITE.secretAccessKey };

function suiteRequest(c: (typeof CASES)[number], signature = c.signature): SigV4Request {
  const q = c.target.indexOf('?');
  const signed = c.signedHeaders ?? 'host;x-amz-date';
  const service = c.service ?? 'service';
  return {
    method: c.method,
    path: q < 0 ? c.target : c.target.slice(0, q),
    query: q < 0 ? '' : c.target.slice(q + 1),
    rawHeaders: [
      'Host',
      c.host ?? 'example.amazonaws.com',
      'X-Amz-Date',
      SUITE.amzDate,
      ...(c.headers ?? []).flat(),
      'Authorization',
      `AWS4-HMAC-SHA256 Credential=${SUITE.accessKeyId}/20150830/${SUITE.region}/${service}/aws4_request, SignedHeaders=${signed}, Signature=${signature}`,
    ],
    raw: Buffer.from(c.body ?? ''),
  };
}

/** The suite's session-token case signs with the example token; the other cases use the plain key. */
let tokenCase = false;
const suiteLookup = (id: string) => (id === SUITE.accessKeyId ? { ...suiteKey, ...(tokenCase ? { sessionToken: SUITE.sessionToken } : {}) } : undefined);

describe('SigV4 verifier against the AWS test suite', () => {
  for (const c of CASES) {
    it(`accepts ${c.name} with its published signature, and refuses it altered`, () => {
      tokenCase = c.name === 'post-sts-header-before';
      const opts = { service: c.service ?? 'service', region: SUITE.region, now: SUITE.now, lookup: suiteLookup };
      const ok = verifySigV4(suiteRequest(c), opts);
      expect(ok).toMatchObject({ ok: true });
      const flipped = c.signature.slice(0, -1) + (c.signature.endsWith('0') ? '1' : '0');
      expect(verifySigV4(suiteRequest(c, flipped), opts)).toMatchObject({ ok: false, problem: 'signature' });
      // The same signature over another body or method must not verify either.
      const other = { ...suiteRequest(c), raw: Buffer.from(`${c.body ?? ''}x`) };
      expect(verifySigV4(other, opts)).toMatchObject({ ok: false, problem: 'signature' });
    });
  }

  it('builds the documented canonical request of the IAM example', () => {
    const c = CASES.find((x) => x.service === 'iam')!;
    const r = verifySigV4(suiteRequest(c), { service: 'iam', region: SUITE.region, now: SUITE.now, lookup: suiteLookup });
    expect(r.ok && r.canonicalRequest).toBe(IAM_CANONICAL);
    expect(createHash('sha256').update(IAM_CANONICAL).digest('hex')).toBe(IAM_CANONICAL_SHA256);
  });

  it('refuses a secret that differs by one character', () => {
    const r = verifySigV4(suiteRequest(CASES[0]!), {
      service: 'service',
      region: SUITE.region,
      now: SUITE.now,
      lookup: (id) => ({ accessKeyId: id, secretAccessKey: `${SUITE.secretAccessKey.slice(0, -1)}Z` }),
    });
    expect(r).toMatchObject({ ok: false, problem: 'signature' });
  });
});

describe('SigV4 verifier against requests signed by @smithy/signature-v4 over HTTP', () => {
  const clock = new FakeClock('2025-03-01T10:00:00Z');
  const user: AwsTestCredentials = { accessKeyId: 'AKIAEXAMPLEUSER00001', secretAccessKey: 'user/Secret+Key0123456789abcdefghijklmno' };
  const temp = { accessKeyId: 'ASIAEXAMPLETEMP00001', secretAccessKey: 'temp/Secret+Key0123456789abcdefghijklmno', sessionToken: 'FwoGZXIvYXdzE+/token==' };
  let tempExpiresAt = clock.now() + 3600_000;
  const keys = (id: string): SigV4Key | undefined =>
    id === user.accessKeyId ? user : id === temp.accessKeyId ? { ...temp, expiresAt: tempExpiresAt } : undefined;
  let svc: ServiceStandIn;
  beforeAll(async () => {
    svc = await startService(
      (r) => {
        const v = verifySigV4(r, { service: 'sns', region: 'eu-west-1', now: clock.now(), lookup: keys });
        return { status: v.ok ? 200 : 403, body: v.ok ? { ok: true } : { problem: v.problem, message: v.message } };
      },
      { clock },
    );
  });
  afterAll(() => svc.close());

  const call = (over: Partial<Parameters<typeof signedCall>[0]> = {}) =>
    signedCall({ url: svc.url, service: 'sns', region: 'eu-west-1', credentials: user, date: new Date(clock.now()), ...over }).then((r) => ({ ...r, json: JSON.parse(r.body) }));

  it('accepts paths, queries, headers and bodies with awkward characters', async () => {
    const cases: Array<Partial<Parameters<typeof signedCall>[0]>> = [
      { path: '/', body: 'Action=Publish&Message=hello' , headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } },
      { path: '/v1.0/users/alerts%40example.com/sendMail', body: '{"a":"ü – ✓"}', headers: { 'content-type': 'application/json' } },
      { path: '/a%20b/c%2Fd/', query: { 'q': 'a b&c=d+e/é', empty: '', 'x~y': '*' } },
      { path: '/a/./b/../c', headers: { 'x-custom': '  spaced   out  value ' } },
      { credentials: temp, body: 'Action=Publish' },
    ];
    for (const c of cases) {
      const r = await call(c);
      expect(r.json, JSON.stringify(c)).toEqual({ ok: true });
    }
  });

  it('refuses a body, path or signed header changed after signing', async () => {
    for (const tamper of [
      (r: { body: string | Buffer }) => void (r.body = 'Action=Publish&Message=other'),
      (r: { path: string }) => void (r.path = '/other'),
      (r: { headers: Record<string, string> }) => void (r.headers['content-type'] = 'text/plain'),
    ]) {
      const r = await call({ body: 'Action=Publish&Message=hello', headers: { 'content-type': 'application/x-www-form-urlencoded' }, tamper });
      expect(r.json.problem).toBe('signature');
    }
  });

  it('refuses a wrong secret, an unknown key, and a wrong region, service or date scope', async () => {
    expect((await call({ credentials: { ...user, secretAccessKey: 'wrong' } })).json.problem).toBe('signature');
    expect((await call({ credentials: { ...user, accessKeyId: 'AKIAUNKNOWN000000000' } })).json.problem).toBe('unknown-key');
    const region = await call({ region: 'us-east-1' });
    expect(region.json).toMatchObject({ problem: 'scope', message: "Credential should be scoped to a valid region, not 'us-east-1'. " });
    expect((await call({ service: 'ses' })).json).toMatchObject({ problem: 'scope', message: "Credential should be scoped to correct service: 'sns'. " });
    const dateScope = await call({
      tamper: (r) => void (r.headers.authorization = r.headers.authorization!.replace('/20250301/', '/20250302/')),
    });
    expect(dateScope.json.message).toMatch(/^Date in Credential scope does not match YYYYMMDD/);
  });

  it('allows 15 minutes of skew either way and refuses more, in AWS words', async () => {
    const now = clock.now();
    expect((await call({ date: new Date(now - 14 * 60_000) })).json).toEqual({ ok: true });
    expect((await call({ date: new Date(now + 14 * 60_000) })).json).toEqual({ ok: true });
    const old = await call({ date: new Date(now - 16 * 60_000) });
    expect(old.json).toEqual({
      problem: 'date-skew',
      message: 'Signature expired: 20250301T094400Z is now earlier than 20250301T094500Z (20250301T100000Z - 15 min.)',
    });
    const future = await call({ date: new Date(now + 16 * 60_000) });
    expect(future.json.message).toBe('Signature not yet current: 20250301T101600Z is still later than 20250301T101500Z (20250301T100000Z + 15 min.)');
  });

  it('demands the session token of a temporary key and refuses it once expired', async () => {
    expect((await call({ credentials: { accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey } })).json.problem).toBe('token-invalid');
    expect((await call({ credentials: { ...temp, sessionToken: 'another' } })).json.problem).toBe('token-invalid');
    expect((await call({ credentials: { ...user, sessionToken: temp.sessionToken } })).json.problem).toBe('token-invalid');
    tempExpiresAt = clock.now();
    expect((await call({ credentials: temp })).json).toEqual({ problem: 'token-expired', message: 'The security token included in the request is expired' });
    tempExpiresAt = clock.now() + 1;
    expect((await call({ credentials: temp })).json).toEqual({ ok: true });
  });

  it('checks a sent x-amz-content-sha256 against the body', async () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect((await call({ body: 'abc', headers: { 'x-amz-content-sha256': sha('abc') } })).json).toEqual({ ok: true });
    const r = await call({ body: 'abc', headers: { 'x-amz-content-sha256': sha('abd') } });
    expect(r.json.problem).toBe('content-sha256');
  });

  it('names a missing or malformed Authorization header', async () => {
    const missing = await call({ tamper: (r) => void delete r.headers.authorization });
    expect(missing.json).toEqual({ problem: 'missing-auth', message: 'Request is missing Authentication Token' });
    const noSig = await call({ tamper: (r) => void (r.headers.authorization = r.headers.authorization!.replace(/, Signature=.*/, '')) });
    expect(noSig.json).toEqual({ problem: 'incomplete', message: "Authorization header requires 'Signature' parameter." });
    const v4a = await call({ tamper: (r) => void (r.headers.authorization = r.headers.authorization!.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256')) });
    expect(v4a.json.problem).toBe('incomplete');
    const noDate = await call({ tamper: (r) => void delete r.headers['x-amz-date'] });
    expect(noDate.json.problem).toBe('incomplete');
  });
});
