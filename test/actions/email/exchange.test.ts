/**
 * The Exchange sender against the identity platform and Graph stand-ins: client-credentials tokens
 * cached until shortly before they expire and refreshed once on a 401, Graph's throttling handed to the
 * outbox's retry with its Retry-After, refusals classified, and the client secret and tokens never shown.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../src/registry/builtin.ts';
import { silentLogger } from '../../../src/log.ts';
import { accountHttp } from '../../../src/actions/shared/account-destination.ts';
import { emailAction } from '../../../src/actions/email/index.ts';
import type { ExchangeAccount } from '../../../src/actions/email/exchange/account.ts';
import { APP, MAILBOX, startSenderKit, type SenderKit } from './sender-kit.ts';

let kit: SenderKit;
beforeAll(async () => {
  kit = await startSenderKit();
});
afterAll(async () => kit.close());
// Every test starts without a cached token.
beforeEach(async () => emailAction.close?.());

const n = () => kit.render({ to: 'ops@example.com', subject: 'Disk', text_body: 'at {{data.n}}%' });
const tokensIssued = () => kit.idp.issued().map((t) => t.token);
const leaks = (text: string) => [APP.secret, ...tokensIssued()].filter((s) => text.includes(s));

describe('email through an exchange account', () => {
  it('gets a token once, sends through Graph as the mailbox, and reuses the token until shortly before it expires', async () => {
    const before = kit.idp.tokenRequests().length;
    const first = await kit.deliver(n(), 'exchange');
    expect(first.result).toEqual({ ok: true, detail: `accepted by Graph for ${MAILBOX}` });
    const sent = kit.graph.sent().at(-1)!;
    expect(sent).toMatchObject({ mailbox: MAILBOX, appId: APP.clientId, saveToSentItems: true });
    expect(sent.message).toMatchObject({ subject: 'Disk', body: { contentType: 'Text', content: 'at 3%' }, toRecipients: [{ emailAddress: { address: 'ops@example.com' } }] });
    expect(sent.message.internetMessageHeaders).toEqual([{ name: 'X-Vigil-Delivery', value: expect.stringMatching(/^[0-9a-f]{32}$/) }]);
    await kit.deliver(n(), 'exchange');
    expect(kit.idp.tokenRequests().length).toBe(before + 1);
    // Tokens live 3599 s: renewed five minutes before they end.
    kit.clock.jump(3599_000 - 5 * 60_000 - 1_000);
    await kit.deliver(n(), 'exchange');
    expect(kit.idp.tokenRequests().length).toBe(before + 1);
    kit.clock.jump(2_000);
    await kit.deliver(n(), 'exchange');
    expect(kit.idp.tokenRequests().length).toBe(before + 2);
    expect(leaks(first.logText() + JSON.stringify(first.result))).toEqual([]);
  });

  it('a token Graph refuses (revoked) is dropped and the mail sent once more with a new one', async () => {
    await kit.deliver(n(), 'exchange');
    kit.idp.revokeAll();
    const before = kit.graph.sent().length;
    const { result } = await kit.deliver(n(), 'exchange');
    expect(result).toMatchObject({ ok: true });
    expect(kit.graph.sent().length).toBe(before + 1);
  });

  it('a second 401 in a row is AUTH_FAILED, not retried', async () => {
    kit.graph.unauthorized();
    kit.graph.unauthorized();
    const { result, logText } = await kit.deliver(n(), 'exchange');
    expect(result).toMatchObject({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('InvalidAuthenticationToken') });
    expect(leaks(logText() + JSON.stringify(result))).toEqual([]);
  });

  it("Graph's throttling goes back to the outbox with its Retry-After; 5xx and no answer are retried", async () => {
    kit.graph.throttle(17);
    expect((await kit.deliver(n(), 'exchange')).result).toMatchObject({ ok: false, retry: true, code: 'HTTP_429', retryAfterMs: 17_000, message: expect.stringContaining('TooManyRequests') });
    kit.graph.fault({ status: 503, body: { error: { code: 'ServiceUnavailable', message: 'later' } }, headers: { 'retry-after': '3' } });
    expect((await kit.deliver(n(), 'exchange')).result).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX', retryAfterMs: 3_000 });
    // Graph sometimes takes the mail and then answers 504: retried, so that mail goes out twice (at least once).
    kit.graph.acceptThenFail(504);
    const before = kit.graph.sent().length;
    expect((await kit.deliver(n(), 'exchange')).result).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    expect(kit.graph.sent().length).toBe(before + 1);
    // Or takes it and never answers: a timeout, retried as well.
    kit.graph.acceptThenFail('hang');
    expect((await kit.deliver(n(), 'exchange')).result).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(kit.graph.sent().length).toBe(before + 2);
  });

  it('a wrong client secret is AUTH_FAILED without the secret; an unknown mailbox and bad recipients are permanent', async () => {
    const wrong = await kit.deliver(n(), 'exchange', kit.account('exchange', { client_secret: 'Wrong~Secret-000111222333' }));
    expect(wrong.result).toMatchObject({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('invalid_client') });
    expect(JSON.stringify(wrong.result) + wrong.logText()).not.toContain('Wrong~Secret-000111222333');
    const nobody = await kit.deliver(n(), 'exchange', kit.account('exchange', { from: 'nobody@example.com' }));
    expect(nobody.result).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX', message: expect.stringContaining('ErrorInvalidUser') });
    const tenant = await kit.deliver(n(), 'exchange', kit.account('exchange', { tenant_id: 'contoso.example' }));
    expect(tenant.result).toMatchObject({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('AADSTS90002') });
  });

  it('a token endpoint that throttles, fails or does not answer is retried', async () => {
    kit.idp.fault({ status: 429, body: { error: 'temporarily_unavailable' } });
    expect((await kit.deliver(n(), 'exchange')).result).toMatchObject({ ok: false, retry: true, code: 'HTTP_429' });
    kit.idp.fault({ status: 500, body: 'oops' });
    expect((await kit.deliver(n(), 'exchange')).result).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    kit.idp.fault({ hang: true });
    const sent = kit.graph.sent().length;
    expect((await kit.deliver(n(), 'exchange')).result).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(kit.graph.sent().length).toBe(sent);
  });

  it('sends from its mailbox only: another from is refused at send time and at load', async () => {
    const other = await kit.deliver(kit.render({ to: 'ops@example.com', from: 'ceo@example.com', subject: 's', text_body: 'b' }), 'exchange');
    expect(other.result).toMatchObject({ ok: false, retry: false, code: 'INVALID_REQUEST', message: `an exchange account sends from its mailbox ${MAILBOX}, not ceo@example.com` });
    const account = kit.account('exchange') as ExchangeAccount;
    const params = emailAction.params.parse({ to: 'a@example.com', from: 'ceo@example.com', subject: 's', text_body: 'b' }) as never;
    expect(emailAction.checkAccount!(params, account, 'exchange')).toEqual([['from', `an exchange account sends from its mailbox ${MAILBOX}; leave from out or set it to that address`]]);
    const same = emailAction.params.parse({ to: 'a@example.com', from: `Vigil <${MAILBOX.toUpperCase()}>`, subject: 's', text_body: 'b' }) as never;
    expect(emailAction.checkAccount!(same, account, 'exchange')).toEqual([]);
  });

  it("declares the identity platform's and Graph's origins as where its secret goes, sovereign clouds included; _test sends", async () => {
    const type = builtinRegistry().accountType('exchange')!;
    const dest = (over: Record<string, unknown>) => type.manifest.destination(kit.account('exchange', over))!.origins;
    expect(dest({ authority_url: undefined, graph_url: undefined })).toEqual(['https://login.microsoftonline.com', 'https://graph.microsoft.com']);
    expect(dest({ authority_url: 'https://login.microsoftonline.us', graph_url: 'https://graph.microsoft.us/' })).toEqual(['https://login.microsoftonline.us', 'https://graph.microsoft.us']);
    const account = kit.account('exchange');
    const before = kit.graph.sent().length;
    const r = await type.manifest.test!.run(account, { to: 'ops@example.com' }, {
      http: accountHttp({ account: type.manifest }, account, kit.http),
      clock: kit.clock,
      logger: silentLogger(),
      signal: new AbortController().signal,
      egress: undefined as never,
    });
    expect(r).toMatchObject({ ok: true });
    expect(kit.graph.sent().slice(before).map((s) => s.message.subject)).toEqual(['Vigil test message']);
  });
});
