/**
 * Bearer JWTs: RS256 (inline PEM), HS256 (inline secret), ES256 (JWKS URL on a local server, through
 * the egress-checked client), issuer/audience/expiry checks, roles claim → backend roles → role
 * mappings, JWKS rotation (refetch on an unknown kid, rate-limited), and keys never shown back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { FakeClock } from '../kit/fake-clock.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

const API = '/_plugins/_security/api';
const ACCOUNT = `${API}/account`;

describe('JWT authentication', () => {
  const clock = new FakeClock();
  let h: Harness;
  let admin: Record<string, string>;
  let jwks: { keys: JWK[] } = { keys: [] };
  let fetches = 0;
  let server: Server;
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ec1: { privateKey: CryptoKey; publicKey: CryptoKey };
  const hmac = randomBytes(32);
  const now = () => Math.floor(clock.now() / 1000);

  const sign = (key: CryptoKey | Uint8Array, alg: string, claims: Record<string, unknown>, o: { kid?: string; iss?: string; aud?: string; exp?: number; sub?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, ...(o.kid ? { kid: o.kid } : {}) })
      .setSubject(o.sub ?? 'worf')
      .setIssuer(o.iss ?? 'https://idp.test')
      .setAudience(o.aud ?? 'vigil')
      .setIssuedAt(now())
      .setExpirationTime(o.exp ?? now() + 300)
      .sign(key);

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    rsa = await generateKeyPair('RS256');
    ec1 = await generateKeyPair('ES256');
    jwks = { keys: [{ ...(await exportJWK(ec1.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' }] };
    h = await startHarness({ clock, egressAllow: ['127.0.0.1'] });
    admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
    const port = (server.address() as AddressInfo).port;
    const jwt = (order: number, config: Record<string, unknown>) => ({
      http_enabled: true,
      order,
      http_authenticator: { type: 'jwt', challenge: false, config: { required_issuer: 'https://idp.test', required_audience: 'vigil', roles_key: 'realm.roles', ...config } },
      authentication_backend: { type: 'noop' },
    });
    const put = await h.call({
      method: 'PUT',
      url: `${API}/securityconfig/config`,
      headers: admin,
      payload: {
        dynamic: {
          authc: {
            basic_internal_auth_domain: { http_enabled: true, order: 0, http_authenticator: { type: 'basic', challenge: true }, authentication_backend: { type: 'intern' } },
            jwt_rsa: jwt(1, { signing_key: await exportSPKI(rsa.publicKey) }),
            jwt_hmac: jwt(2, { signing_key: hmac.toString('base64') }),
            jwt_jwks: jwt(3, { jwks_uri: `http://127.0.0.1:${port}/jwks.json` }),
          },
        },
      },
    });
    expect(put.json()).toEqual({ status: 'OK', message: "'config' updated." });
    expect((await h.call({ method: 'PUT', url: `${API}/rolesmapping/viewer`, headers: admin, payload: { backend_roles: ['starfleet'] } })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => server?.close(r));
  });

  const me = (token: string) => h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer(token) } });

  it('accepts RS256, HS256 and ES256 (JWKS) tokens; the roles claim gives backend roles, mapped to roles', async () => {
    for (const token of [
      await sign(rsa.privateKey, 'RS256', { realm: { roles: ['starfleet', 'klingon'] } }),
      await sign(hmac, 'HS256', { realm: { roles: 'starfleet,klingon' } }),
      await sign(ec1.privateKey, 'ES256', { realm: { roles: ['starfleet', 'klingon'] } }, { kid: 'ec-1' }),
    ]) {
      const res = await me(token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ user_name: 'worf', is_internal_user: false, backend_roles: ['starfleet', 'klingon'], roles: ['viewer'], authenticated_by: 'jwt' });
      expect((await h.call({ method: 'GET', url: '/_signals/watch/_main/_search', headers: { authorization: bearer(token) } })).statusCode).toBe(200);
      expect((await h.call({ method: 'PUT', url: `${API}/roles/x`, headers: { authorization: bearer(token) }, payload: {} })).statusCode).toBe(403);
    }
    expect(fetches).toBe(1);
  });

  it('refuses a wrong issuer, a wrong audience, an expired token, a wrong key, and an HMAC forged with the public key', async () => {
    const other = await generateKeyPair('RS256');
    const pem = await exportSPKI(rsa.publicKey);
    for (const token of [
      await sign(rsa.privateKey, 'RS256', {}, { iss: 'https://evil.test' }),
      await sign(rsa.privateKey, 'RS256', {}, { aud: 'grafana' }),
      await sign(rsa.privateKey, 'RS256', {}, { exp: now() - 120 }),
      await sign(other.privateKey, 'RS256', {}),
      await sign(new TextEncoder().encode(pem), 'HS256', {}),
      'not.a.jwt',
    ]) {
      const res = await me(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid or expired token');
    }
    // Within the clock skew tolerance (30 s) a just-expired token still passes.
    expect((await me(await sign(rsa.privateKey, 'RS256', {}, { exp: now() - 10 }))).statusCode).toBe(200);
  });

  it('follows a JWKS rotation: an unknown kid fetches the keys again, at most once per 30 s', async () => {
    const ec2 = await generateKeyPair('ES256');
    jwks = { keys: [{ ...(await exportJWK(ec2.publicKey)), kid: 'ec-2', alg: 'ES256' }] };
    const token = await sign(ec2.privateKey, 'ES256', { realm: { roles: ['starfleet'] } }, { kid: 'ec-2' });
    const before = fetches;
    // The first fetch was less than 30 s ago: no refetch yet, so the new key is unknown.
    expect((await me(token)).statusCode).toBe(401);
    expect(fetches).toBe(before);
    await clock.advance(30_000);
    const res = await me(await sign(ec2.privateKey, 'ES256', { realm: { roles: ['starfleet'] } }, { kid: 'ec-2' }));
    expect(res.statusCode).toBe(200);
    expect(fetches).toBe(before + 1);
    // Garbage kids do not hammer the identity provider.
    for (let i = 0; i < 5; i++) expect((await me(await sign(ec2.privateKey, 'ES256', {}, { kid: `junk-${i}` }))).statusCode).toBe(401);
    expect(fetches).toBe(before + 1);
  });

  it('never shows an inline key; a document sent back with the placeholder keeps the keys', async () => {
    const get = await h.call({ method: 'GET', url: `${API}/securityconfig`, headers: admin });
    const doc = get.json();
    expect(doc.config.dynamic.authc.jwt_hmac.http_authenticator.config.signing_key).toBe('[redacted]');
    const put = await h.call({ method: 'PUT', url: `${API}/securityconfig/config`, headers: admin, payload: doc.config });
    expect(put.statusCode).toBe(200);
    expect((await me(await sign(hmac, 'HS256', {}))).statusCode).toBe(200);
    const all = h.bodies.join('\n') + h.logs.join('\n');
    expect(all).not.toContain(hmac.toString('base64'));
    const bad = await h.call({ method: 'PATCH', url: `${API}/securityconfig`, headers: admin, payload: [{ op: 'replace', path: '/config/dynamic/authc/jwt_rsa/http_authenticator/config/signing_key', value: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('nope');
    expect((await me(await sign(rsa.privateKey, 'RS256', {}))).statusCode).toBe(200);
  });
});
