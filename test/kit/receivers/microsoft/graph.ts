/**
 * A Microsoft Graph stand-in for `POST /v1.0/users/{id | userPrincipalName}/sendMail`. The bearer token
 * must be one the identity stand-in issued for this audience, unexpired and unrevoked (otherwise 401
 * `InvalidAuthenticationToken` with `WWW-Authenticate`), carrying the `Mail.Send` role (403
 * `ErrorAccessDenied`); the mailbox must exist in the token's tenant (404 `ErrorInvalidUser`); the body
 * is read strictly (`graph-mail.ts`). Success is 202 with an empty body. Errors are Graph's
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`. Throttling is
 * programmable: 429 with `Retry-After`.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../../../src/clock.ts';
import { startService, type ServiceReply, type ServiceRequest, type ServiceStandIn } from '../service.ts';
import { GraphBadRequest, readSendMail, type GraphMessage } from './graph-mail.ts';
import { GRAPH_RESOURCE, type IdentityStandIn } from './identity.ts';

export interface GraphSent {
  /** The mailbox's user principal name. */
  mailbox: string;
  message: GraphMessage;
  saveToSentItems: boolean;
  /** The client id (`appid`) of the token that sent it. */
  appId: string;
  at: number;
}

export interface GraphOptions {
  identity: IdentityStandIn;
  /** Mailboxes by user principal name; each also answers to a generated object id. */
  mailboxes: string[];
  /** The tenant the mailboxes belong to. */
  tenant: string;
  clock?: Clock;
  /** Token audience this deployment accepts (default the global Graph, `https://graph.microsoft.com`). */
  audience?: string;
}

export interface GraphStandIn extends ServiceStandIn {
  /** Object id of a mailbox (the `{id}` form of the path). */
  mailboxId(upn: string): string;
  sent(): GraphSent[];
  /** Queues a 429 with `Retry-After: seconds` and Graph's throttling error (code `TooManyRequests` by default). */
  throttle(retryAfterSeconds?: number, code?: string): void;
  /** Queues a 401 `InvalidAuthenticationToken`, whatever token comes (a token rejected after refresh too). */
  unauthorized(): void;
  /**
   * The next valid sendMail is accepted (recorded in {@link sent}) but answered with a 504 or never
   * answered, as Graph sometimes does: a client that retries sends the mail twice.
   */
  acceptThenFail(mode: 504 | 'hang'): void;
}

const WWW_AUTHENTICATE = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export async function startGraphStandIn(opts: GraphOptions): Promise<GraphStandIn> {
  const clock = opts.clock ?? systemClock;
  const audience = opts.audience ?? GRAPH_RESOURCE;
  const byUpn = new Map(opts.mailboxes.map((u) => [u.toLowerCase(), { upn: u, id: randomUUID() as string }]));
  const byId = new Map([...byUpn.values()].map((m) => [m.id, m]));
  const sent: GraphSent[] = [];
  let failAfterAccept: 504 | 'hang' | undefined;

  const graphError = (status: number, code: string, message: string, clientRequestId?: string, headers: Record<string, string> = {}): ServiceReply => {
    const requestId = randomUUID();
    const client = clientRequestId ?? requestId;
    return {
      status,
      body: { error: { code, message, innerError: { date: new Date(clock.now()).toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': client } } },
      headers: { 'content-type': 'application/json', 'request-id': requestId, 'client-request-id': client, ...headers },
    };
  };

  const handle = (r: ServiceRequest): ServiceReply | 'hang' => {
    const crid = r.headers['client-request-id'];
    const unauthorized = (message: string) => graphError(401, 'InvalidAuthenticationToken', message, crid, { 'www-authenticate': WWW_AUTHENTICATE });
    const bearer = /^Bearer (.*)$/i.exec(r.headers.authorization ?? '')?.[1]?.trim();
    if (!bearer) return unauthorized('Access token is empty.');
    const check = opts.identity.check(bearer, audience);
    if (!check.ok) {
      const messages = {
        unknown: bearer.split('.').length === 3 ? 'Access token validation failure.' : 'IDX14100: JWT is not well formed, there are no dots (.).',
        expired: 'Lifetime validation failed, the token is expired.',
        revoked: 'Access token has been revoked.',
        audience: 'Access token validation failure. Invalid audience.',
      } as const;
      return unauthorized(messages[check.problem]);
    }

    const m = /^\/v1\.0\/(?:users\/([^/]+)|me)\/sendMail$/i.exec(r.path);
    if (!m) return graphError(400, 'BadRequest', `Resource not found for the segment '${r.path.split('/').filter(Boolean).at(-1) ?? ''}'.`, crid);
    if (m[1] === undefined) return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.', crid);
    if (r.method !== 'POST') return graphError(405, 'Request_BadRequest', `Specified HTTP method is not allowed for the request target.`, crid);
    let key: string;
    try {
      key = decodeURIComponent(m[1]);
    } catch {
      return graphError(400, 'BadRequest', `Bad Request - Error in query syntax.`, crid);
    }
    if (!check.claims.roles.includes('Mail.Send')) return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.', crid);
    const box = check.claims.tid === opts.tenant ? (byUpn.get(key.toLowerCase()) ?? byId.get(key)) : undefined;
    if (!box) return graphError(404, 'ErrorInvalidUser', `The requested user '${key}' is invalid.`, crid);

    if (r.raw.length > MAX_REQUEST_BYTES) return graphError(413, 'RequestEntityTooLarge', 'The request body exceeds the 4 MB limit of a Graph request.', crid);
    if (!/^application\/json/i.test(r.headers['content-type'] ?? '')) return graphError(415, 'UnsupportedMediaType', 'The Content-Type header must be application/json.', crid);
    if (r.body.trim() === '') return graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.', crid);
    if (r.json === undefined) {
      return graphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.', crid);
    }
    try {
      const { message, saveToSentItems } = readSendMail(r.json);
      sent.push({ mailbox: box.upn, message, saveToSentItems, appId: check.claims.appid, at: clock.now() });
    } catch (e) {
      if (e instanceof GraphBadRequest) return graphError(400, e.code, e.message, crid);
      throw e;
    }
    const fail = failAfterAccept;
    failAfterAccept = undefined;
    if (fail === 'hang') return 'hang';
    if (fail === 504) return graphError(504, 'UnknownError', '', crid);
    const requestId = randomUUID();
    return { status: 202, headers: { 'request-id': requestId, 'client-request-id': crid ?? requestId, 'content-length': '0' } };
  };

  const base = await startService(handle, { clock, maxBodyBytes: 8 * 1024 * 1024 });
  return {
    ...base,
    mailboxId: (upn) => byUpn.get(upn.toLowerCase())!.id,
    sent: () => sent,
    throttle: (retryAfterSeconds = 1, code = 'TooManyRequests') => {
      const e = graphError(429, code, code === 'TooManyRequests' ? 'Please retry again later.' : 'Application is over its MailboxConcurrency limit.', undefined, {
        'retry-after': String(retryAfterSeconds),
      });
      base.fault({ status: e.status, body: e.body as object, headers: e.headers! });
    },
    acceptThenFail: (mode) => {
      failAfterAccept = mode;
    },
    unauthorized: () => {
      const e = graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.', undefined, { 'www-authenticate': WWW_AUTHENTICATE });
      base.fault({ status: e.status, body: e.body as object, headers: e.headers! });
    },
  };
}
