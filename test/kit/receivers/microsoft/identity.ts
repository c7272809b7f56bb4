/**
 * A Microsoft identity platform stand-in: the v2.0 token endpoint `POST /{tenant}/oauth2/v2.0/token`
 * for the OAuth 2.0 client-credentials grant (form body `grant_type=client_credentials`, `client_id`,
 * `client_secret` or HTTP Basic, `scope=<resource>/.default`). It issues JWT-shaped (HMAC-signed) or
 * opaque bearer tokens with a short, configurable `expires_in`, measured on an injectable clock, and
 * answers failures with the platform's error JSON (`error`, `error_description` starting with the
 * AADSTS code, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`). The Graph
 * stand-in asks it whether a bearer token is valid, expired or revoked.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../../../../src/clock.ts';
import { parseFormStrict, startService, type ServiceReply, type ServiceRequest, type ServiceStandIn } from '../service.ts';

export interface IdentityApp {
  clientId: string;
  /** The client secret's value. */
  secret: string;
  /** Application roles granted by admin consent (default `['Mail.Send']`). */
  roles?: string[];
}

export interface IdentityOptions {
  /** Tenants by id (a GUID), each with its app registrations and verified domain names. */
  tenants: Record<string, { apps: IdentityApp[]; domains?: string[] }>;
  clock?: Clock;
  /** `expires_in` of issued tokens, seconds (default 3599, as the platform). */
  tokenLifetimeSeconds?: number;
  /** `jwt` (default): three base64url parts, claims readable; `opaque`: random text. */
  format?: 'jwt' | 'opaque';
  /** Resources a `.default` scope may name (default: Microsoft Graph, global service). */
  resources?: string[];
}

export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  tid: string;
  roles: string[];
  oid: string;
  sub: string;
  idtyp: 'app';
  ver: '1.0';
  uti: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; problem: 'unknown' | 'expired' | 'revoked' | 'audience' };

export interface TokenRequestRecord {
  tenant: string;
  clientId?: string;
  /** `issued`, or the `error` the endpoint answered. */
  outcome: string;
}

export interface IdentityStandIn extends ServiceStandIn {
  /** `<url>/<tenant>/oauth2/v2.0/token` */
  tokenUrl(tenant: string): string;
  /** Every request to a token endpoint, in order, with its outcome. */
  tokenRequests(): TokenRequestRecord[];
  /** Tokens issued, in order. */
  issued(): Array<{ token: string; claims: TokenClaims }>;
  /** Revokes every token issued so far (as a credential reset would); later tokens are valid. */
  revokeAll(): void;
  /** What a resource server learns about a bearer token. */
  check(token: string, audience: string): TokenCheck;
}

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export async function startIdentityStandIn(opts: IdentityOptions): Promise<IdentityStandIn> {
  const clock = opts.clock ?? systemClock;
  const lifetime = opts.tokenLifetimeSeconds ?? 3599;
  const resources = new Set(opts.resources ?? [GRAPH_RESOURCE]);
  const key = randomBytes(32);
  const tokens = new Map<string, { claims: TokenClaims; revoked: boolean }>();
  const issued: Array<{ token: string; claims: TokenClaims }> = [];
  const requests: TokenRequestRecord[] = [];

  const tenantOf = (t: string): string | undefined => {
    if (opts.tenants[t]) return t;
    return Object.keys(opts.tenants).find((id) => opts.tenants[id]!.domains?.some((d) => d.toLowerCase() === t.toLowerCase()));
  };

  const handle = (r: ServiceRequest): ServiceReply => {
    const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(r.path);
    if (!m) return { status: 404, body: 'Not Found' };
    const tenantParam = decodeURIComponent(m[1]!);
    const rec: TokenRequestRecord = { tenant: tenantParam, outcome: 'issued' };
    requests.push(rec);
    const correlation = r.headers['client-request-id'] ?? randomUUID();
    const fail = (status: number, error: string, code: number, description: string): ServiceReply => {
      rec.outcome = error;
      return aadError(status, error, code, description, correlation, clock.now());
    };

    if (r.method !== 'POST') return fail(400, 'invalid_request', 900561, `The endpoint only accepts POST, OPTIONS requests. Received a ${r.method} request.`);
    if (['common', 'organizations', 'consumers'].includes(tenantParam)) {
      return fail(400, 'invalid_request', 50059, 'No tenant-identifying information found in either the request or implied by any provided credentials.');
    }
    const tenant = tenantOf(tenantParam);
    if (!tenant) {
      return fail(400, 'invalid_request', 90002, `Tenant '${tenantParam}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
    }
    const form = (r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? parseFormStrict(r.body) : { ok: true as const, params: new Map<string, string>() };
    if (!form.ok) return fail(400, 'invalid_request', 900144, `The request body must contain the following parameter: 'grant_type'. (The body is not valid form encoding: ${form.error}.)`);
    const p = form.params;
    const need = (name: string) => fail(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
    const grant = p.get('grant_type');
    if (!grant) return need('grant_type');
    if (grant !== 'client_credentials') return fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);

    let clientId = p.get('client_id');
    let secret = p.get('client_secret');
    const basic = /^Basic (.+)$/i.exec(r.headers.authorization ?? '');
    if (basic) {
      const [id, s] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map((x) => decodeURIComponent(x ?? ''));
      clientId ??= id;
      secret ??= s;
    }
    if (!clientId) return need('client_id');
    rec.clientId = clientId;
    const app = opts.tenants[tenant]!.apps.find((a) => a.clientId === clientId);
    if (!app) {
      return fail(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantParam}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    }
    if (!secret) return fail(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    if (!sameText(secret, app.secret)) {
      return fail(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    const scope = p.get('scope');
    if (!scope) return need('scope');
    const sm = /^(\S+)\/\.default$/.exec(scope);
    if (!sm) {
      return fail(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    const resource = sm[1] === GRAPH_APP_ID ? GRAPH_RESOURCE : sm[1]!;
    if (!resources.has(resource)) {
      return fail(400, 'invalid_resource', 500011, `The resource principal named ${sm[1]} was not found in the tenant named ${tenantParam}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
    }

    const now = Math.floor(clock.now() / 1000);
    const claims: TokenClaims = {
      aud: resource,
      iss: `https://sts.windows.net/${tenant}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      appid: clientId,
      tid: tenant,
      roles: app.roles ?? ['Mail.Send'],
      oid: randomUUID(),
      sub: randomUUID(),
      idtyp: 'app',
      ver: '1.0',
      uti: randomBytes(16).toString('base64url'),
    };
    const token = opts.format === 'opaque' ? randomBytes(48).toString('base64url') : jwt(claims, key);
    tokens.set(token, { claims, revoked: false });
    issued.push({ token, claims });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
      headers: { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' },
    };
  };

  const base = await startService(handle, { clock });
  return {
    ...base,
    tokenUrl: (tenant) => `${base.url}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`,
    tokenRequests: () => requests,
    issued: () => issued,
    revokeAll: () => {
      for (const t of tokens.values()) t.revoked = true;
    },
    check(token, audience) {
      const t = tokens.get(token);
      if (!t) return { ok: false, problem: 'unknown' };
      if (t.revoked) return { ok: false, problem: 'revoked' };
      if (clock.now() >= t.claims.exp * 1000) return { ok: false, problem: 'expired' };
      if (t.claims.aud !== audience) return { ok: false, problem: 'audience' };
      return { ok: true, claims: t.claims };
    },
  };
}

function aadError(status: number, error: string, code: number, description: string, correlation: string, now: number): ServiceReply {
  const trace = randomUUID();
  const timestamp = new Date(now).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
    headers: { 'cache-control': 'no-store, no-cache', 'x-ms-request-id': trace },
  };
}

function jwt(claims: TokenClaims, key: Buffer): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ typ: 'JWT', alg: 'HS256', kid: 'vigil-stand-in' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
