import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityStandIn, type IdentityStandIn } from '../../kit/receivers/microsoft/identity.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { HOSTILE } from './aws-helpers.ts';

const TENANT = '8f2c1a3e-1111-4c4c-9999-0123456789ab';
const APP = { clientId: '3b7d9e21-2222-4d4d-8888-abcdefabcdef', secret: `s3cr3t~${HOSTILE}` };
const clock = new FakeClock('2025-06-01T08:00:00Z');
let idp: IdentityStandIn;

beforeAll(async () => {
  idp = await startIdentityStandIn({
    clock,
    tokenLifetimeSeconds: 60,
    tenants: { [TENANT]: { apps: [APP, { clientId: 'no-roles', secret: 'x', roles: [] }], domains: ['contoso.onmicrosoft.com'] } },
  });
});
afterAll(() => idp.close());

const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
const good = { grant_type: 'client_credentials', client_id: APP.clientId, client_secret: APP.secret, scope: 'https://graph.microsoft.com/.default' };

async function token(params: Record<string, string>, tenant = TENANT, init: RequestInit = {}) {
  const r = await fetch(idp.tokenUrl(tenant), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': '11111111-2222-3333-4444-555555555555' },
    body: form(params),
    ...init,
  });
  return { status: r.status, json: (await r.json()) as Record<string, any> };
}

describe('Microsoft identity stand-in: client-credentials token endpoint', () => {
  it('issues a JWT-shaped bearer token with the configured lifetime and Graph claims', async () => {
    const before = idp.tokenRequests().length;
    const r = await token(good);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ token_type: 'Bearer', expires_in: 60, ext_expires_in: 60 });
    const parts = r.json.access_token.split('.');
    expect(parts).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', tid: TENANT, appid: APP.clientId, roles: ['Mail.Send'], ver: '1.0' });
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.iat * 1000).toBe(clock.now());
    expect(idp.tokenRequests().slice(before)).toEqual([{ tenant: TENANT, clientId: APP.clientId, outcome: 'issued' }]);
    expect(idp.check(r.json.access_token, 'https://graph.microsoft.com')).toMatchObject({ ok: true });
  });

  it('accepts a verified domain as tenant, HTTP Basic client authentication and the Graph app id as resource', async () => {
    expect((await token(good, 'contoso.onmicrosoft.com')).status).toBe(200);
    const basic = Buffer.from(`${encodeURIComponent(APP.clientId)}:${encodeURIComponent(APP.secret)}`).toString('base64');
    const r = await token({ grant_type: 'client_credentials', scope: '00000003-0000-0000-c000-000000000000/.default' }, TENANT, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    });
    expect(r.status).toBe(200);
  });

  it('answers failures with the platform error JSON and AADSTS codes', async () => {
    const wrong = await token({ ...good, client_secret: 'guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
      timestamp: '2025-06-01 08:00:00Z',
      correlation_id: '11111111-2222-3333-4444-555555555555',
      error_uri: 'https://login.microsoftonline.com/error?code=7000215',
    });
    expect(wrong.json.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\. /);
    expect(wrong.json.error_description).toContain(`\r\nTrace ID: ${wrong.json.trace_id}\r\nCorrelation ID: 11111111-2222-3333-4444-555555555555\r\nTimestamp: 2025-06-01 08:00:00Z`);
    expect(wrong.json.error_description).not.toContain('guess');

    const cases: Array<[Record<string, string>, string, number, string, number]> = [
      [{ ...good, client_id: 'unknown-app' }, TENANT, 400, 'unauthorized_client', 700016],
      [{ grant_type: 'client_credentials', client_id: APP.clientId, scope: good.scope }, TENANT, 401, 'invalid_client', 7000218],
      [{ ...good, scope: 'Mail.Send' }, TENANT, 400, 'invalid_scope', 1002012],
      [{ ...good, scope: 'https://outlook.office.com/.default' }, TENANT, 400, 'invalid_resource', 500011],
      [{ ...good, grant_type: 'password' }, TENANT, 400, 'unsupported_grant_type', 70003],
      [{ client_id: APP.clientId }, TENANT, 400, 'invalid_request', 900144],
      [good, '00000000-0000-0000-0000-000000000000', 400, 'invalid_request', 90002],
      [good, 'common', 400, 'invalid_request', 50059],
    ];
    for (const [params, tenant, status, error, code] of cases) {
      const r = await token(params, tenant);
      expect([r.status, r.json.error, r.json.error_codes], `${tenant} ${JSON.stringify(params)}`).toEqual([status, error, [code]]);
      expect(r.json.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
    }
    const get = await fetch(idp.tokenUrl(TENANT));
    expect(((await get.json()) as { error_codes: number[] }).error_codes).toEqual([900561]);
    expect(idp.tokenRequests().at(-1)!.outcome).toBe('invalid_request');
  });

  it('expires tokens on its clock, revokes on demand, and can issue opaque tokens or sovereign audiences', async () => {
    const t = (await token(good)).json.access_token as string;
    await clock.advance(59_000);
    expect(idp.check(t, 'https://graph.microsoft.com').ok).toBe(true);
    await clock.advance(1000);
    expect(idp.check(t, 'https://graph.microsoft.com')).toEqual({ ok: false, problem: 'expired' });
    const fresh = (await token(good)).json.access_token as string;
    idp.revokeAll();
    expect(idp.check(fresh, 'https://graph.microsoft.com')).toEqual({ ok: false, problem: 'revoked' });
    expect(idp.check((await token(good)).json.access_token, 'https://graph.microsoft.com').ok).toBe(true);
    expect(idp.check(`${fresh}x`, 'https://graph.microsoft.com')).toEqual({ ok: false, problem: 'unknown' });

    const gov = await startIdentityStandIn({ clock, format: 'opaque', resources: ['https://graph.microsoft.us'], tenants: { [TENANT]: { apps: [APP] } } });
    try {
      const r = await fetch(gov.tokenUrl(TENANT), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ ...good, scope: 'https://graph.microsoft.us/.default' }),
      });
      const tok = ((await r.json()) as { access_token: string }).access_token;
      expect(tok.split('.')).toHaveLength(1);
      expect(gov.check(tok, 'https://graph.microsoft.us').ok).toBe(true);
      expect(gov.check(tok, 'https://graph.microsoft.com')).toEqual({ ok: false, problem: 'audience' });
    } finally {
      await gov.close();
    }
  });
});
