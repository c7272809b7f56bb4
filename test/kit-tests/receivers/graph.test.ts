import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphStandIn, type GraphStandIn } from '../../kit/receivers/microsoft/graph.ts';
import { startIdentityStandIn, type IdentityStandIn } from '../../kit/receivers/microsoft/identity.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { HOSTILE } from './aws-helpers.ts';

const TENANT = '8f2c1a3e-1111-4c4c-9999-0123456789ab';
const OTHER = '9a9a9a9a-1111-4c4c-9999-0123456789ab';
const APP = { clientId: 'app-1', secret: 'secret-1' };
const clock = new FakeClock('2025-06-01T08:00:00Z');
let idp: IdentityStandIn;
let graph: GraphStandIn;

beforeAll(async () => {
  idp = await startIdentityStandIn({
    clock,
    tokenLifetimeSeconds: 300,
    resources: ['https://graph.microsoft.com', 'https://graph.microsoft.us'],
    tenants: { [TENANT]: { apps: [APP, { clientId: 'reader', secret: 'r', roles: ['Mail.Read'] }] }, [OTHER]: { apps: [APP] } },
  });
  graph = await startGraphStandIn({ identity: idp, clock, tenant: TENANT, mailboxes: ['alerts@contoso.com'] });
});
afterAll(async () => {
  await graph.close();
  await idp.close();
});

async function getToken(app = APP, tenant = TENANT, scope = 'https://graph.microsoft.com/.default'): Promise<string> {
  const r = await fetch(idp.tokenUrl(tenant), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.secret, scope }).toString(),
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

const mail = (over: Record<string, unknown> = {}) => ({
  message: {
    subject: `Disk full ${HOSTILE}`,
    body: { contentType: 'HTML', content: `<p>${HOSTILE}</p>` },
    toRecipients: [{ emailAddress: { address: 'oncall@contoso.com', name: 'On "call" <team>' } }],
    attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'r.json', contentType: 'application/json', contentBytes: Buffer.from('{}').toString('base64') }],
    ...over,
  },
});

async function sendMail(token: string | undefined, body: unknown, mailbox = 'alerts%40contoso.com', headers: Record<string, string> = {}) {
  const r = await fetch(`${graph.url}/v1.0/users/${mailbox}/sendMail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: text ? JSON.parse(text) : undefined };
}

describe('Microsoft Graph stand-in: sendMail', () => {
  it('accepts a valid message with 202 and an empty body, by user principal name or object id', async () => {
    const token = await getToken();
    const r = await sendMail(token, { ...mail(), saveToSentItems: false });
    expect([r.status, r.text]).toEqual([202, '']);
    expect(graph.sent().at(-1)).toMatchObject({
      mailbox: 'alerts@contoso.com',
      saveToSentItems: false,
      appId: 'app-1',
      message: { subject: `Disk full ${HOSTILE}`, body: { contentType: 'HTML', content: `<p>${HOSTILE}</p>` } },
    });
    expect((await sendMail(token, mail(), graph.mailboxId('alerts@contoso.com'))).status).toBe(202);
    expect((await sendMail(token, mail(), 'Alerts@Contoso.com')).status).toBe(202);
    expect(graph.sent().at(-1)!.saveToSentItems).toBe(true);
  });

  it('answers a missing, unknown, expired or foreign-audience token with 401 InvalidAuthenticationToken', async () => {
    const none = await sendMail(undefined, mail(), 'alerts%40contoso.com', { 'client-request-id': 'c-1' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=""/);
    expect(none.json.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.', innerError: { date: '2025-06-01T08:00:00', 'client-request-id': 'c-1' } });
    expect(none.json.error.innerError['request-id']).toBe(none.headers.get('request-id'));
    expect((await sendMail('not-a-token', mail())).json.error.message).toMatch(/^IDX14100/);
    const us = await getToken(APP, TENANT, 'https://graph.microsoft.us/.default');
    expect((await sendMail(us, mail())).json.error.message).toBe('Access token validation failure. Invalid audience.');
    const t = await getToken();
    await clock.advance(300_000);
    const expired = await sendMail(t, mail());
    expect([expired.status, expired.json.error.message]).toEqual([401, 'Lifetime validation failed, the token is expired.']);
  });

  it('lets a client recover from a revoked token by fetching one new token, and can refuse the new one too', async () => {
    const t = await getToken();
    idp.revokeAll();
    const first = await sendMail(t, mail());
    expect([first.status, first.json.error.code]).toEqual([401, 'InvalidAuthenticationToken']);
    const before = idp.tokenRequests().length;
    const again = await sendMail(await getToken(), mail());
    expect(again.status).toBe(202);
    expect(idp.tokenRequests().length - before).toBe(1);
    graph.unauthorized();
    expect((await sendMail(await getToken(), mail())).status).toBe(401);
    expect((await sendMail(await getToken(), mail())).status).toBe(202);
  });

  it('refuses apps without Mail.Send, unknown mailboxes, other tenants and /me', async () => {
    const reader = await sendMail(await getToken({ clientId: 'reader', secret: 'r' }), mail());
    expect([reader.status, reader.json.error.code]).toEqual([403, 'ErrorAccessDenied']);
    const token = await getToken();
    const nobody = await sendMail(token, mail(), 'nobody%40contoso.com');
    expect([nobody.status, nobody.json.error]).toMatchObject([404, { code: 'ErrorInvalidUser', message: "The requested user 'nobody@contoso.com' is invalid." }]);
    expect((await sendMail(await getToken(APP, OTHER), mail())).status).toBe(404);
    const me = await fetch(`${graph.url}/v1.0/me/sendMail`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(((await me.json()) as { error: { message: string } }).error.message).toBe('/me request is only valid with delegated authentication flow.');
  });

  it('reads the body strictly and names what is wrong in Graph terms', async () => {
    const token = await getToken();
    const cases: Array<[unknown, number, string, string | RegExp]> = [
      ['{"message": ', 400, 'BadRequest', /^Unable to read JSON request payload/],
      ['', 400, 'BadRequest', 'Empty Payload. JSON content expected.'],
      [{ ...mail(), extra: 1 }, 400, 'RequestBodyRead', "The parameter 'extra' in the request payload is not a valid parameter for the operation 'sendMail'."],
      [{}, 400, 'ErrorInvalidParameter', "The value of the parameter 'Message' is empty."],
      [mail({ priority: 'high' }), 400, 'RequestBodyRead', /^The property 'priority' does not exist on type 'microsoft.graph.message'/],
      [mail({ body: { contentType: 'Markdown', content: 'x' } }), 400, 'RequestBodyRead', "Requested value 'Markdown' was not found."],
      [mail({ subject: 42 }), 400, 'RequestBodyRead', "Cannot convert the literal '42' to the expected type 'Edm.String'."],
      [mail({ toRecipients: [] }), 400, 'ErrorInvalidRecipients', "At least one recipient isn't valid."],
      [mail({ toRecipients: [{ emailAddress: { address: 'not an address' } }] }), 400, 'ErrorInvalidRecipients', /Recipient 'not an address' is not resolved/],
      [mail({ toRecipients: [{ address: 'a@contoso.com' }] }), 400, 'RequestBodyRead', /property 'address' does not exist on type 'microsoft.graph.recipient'/],
      [mail({ attachments: [{ name: 'a', contentBytes: 'AA==' }] }), 400, 'RequestBodyRead', 'Cannot create an abstract class.'],
      [mail({ attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a', contentBytes: 'not base64' }] }), 400, 'RequestBodyRead', /Edm\.Binary/],
      [mail({ internetMessageHeaders: [{ name: 'Watch', value: 'w' }] }), 400, 'InvalidInternetMessageHeader', "The internet message header name 'Watch' should start with 'x-' or 'X-'."],
      [{ ...mail(), saveToSentItems: 'yes' }, 400, 'RequestBodyRead', "Cannot convert the literal 'yes' to the expected type 'Edm.Boolean'."],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await sendMail(token, body);
      expect([r.status, r.json?.error?.code], JSON.stringify(body).slice(0, 80)).toEqual([status, code]);
      expect(r.json.error.message).toMatch(message);
    }
    const plain = await sendMail(token, JSON.stringify(mail()), 'alerts%40contoso.com', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
  });

  it('can accept a mail and then answer 504 or nothing, as Graph sometimes does', async () => {
    const token = await getToken();
    const before = graph.sent().length;
    graph.acceptThenFail(504);
    const r = await sendMail(token, mail());
    expect([r.status, r.json.error.code]).toEqual([504, 'UnknownError']);
    expect(graph.sent()).toHaveLength(before + 1);
    graph.acceptThenFail('hang');
    const abort = new AbortController();
    const hung = fetch(`${graph.url}/v1.0/users/alerts%40contoso.com/sendMail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(mail()),
      signal: abort.signal,
    });
    while (graph.sent().length < before + 2) await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await expect(hung).rejects.toThrow();
    expect((await sendMail(token, mail())).status).toBe(202);
  });

  it('throttles with 429, Retry-After and the Graph error body', async () => {
    const token = await getToken();
    graph.throttle(7);
    const r = await sendMail(token, mail());
    expect([r.status, r.headers.get('retry-after')]).toEqual([429, '7']);
    expect(r.json.error).toMatchObject({ code: 'TooManyRequests', message: 'Please retry again later.', innerError: { 'request-id': expect.any(String) } });
    graph.throttle(2, 'ApplicationThrottled');
    expect((await sendMail(token, mail())).json.error.code).toBe('ApplicationThrottled');
    expect((await sendMail(token, mail())).status).toBe(202);
  });
});
