/**
 * No secret (password, proxy password) in any error message, log line (the debug protocol log
 * included), rendered notification or result.
 */
import { describe, expect, it } from 'vitest';
import { testAccount } from '../../../src/actions/email/index.ts';
import { captureLogger } from '../../kit/log-capture.ts';
import { makeTestPki } from '../../kit/certs.ts';
import { startSmtpPeer } from '../../kit/smtp-peer.ts';
import { startSocksPeer } from '../../kit/socks-peer.ts';
import { account, basicParams, closeAfterEach, deliver, PASSWORD, PROXY_PASSWORD, render, testDeps } from './helpers.ts';

const keep = closeAfterEach();

const USER = 'vigil-user';
/** Every form a secret could take on the wire or in a log. */
const FORMS = [PASSWORD, PROXY_PASSWORD].flatMap((s) => [
  s,
  encodeURIComponent(s),
  Buffer.from(s).toString('base64'),
  Buffer.from(`\u0000${USER}\u0000${s}`).toString('base64'),
]);

function expectNoSecret(text: string): void {
  for (const f of FORMS) expect(text).not.toContain(f);
}

describe('email: secrets never leak', () => {
  it.each([['PLAIN'], ['LOGIN']])('debug protocol log over STARTTLS + AUTH %s + SOCKS5 auth: AUTH redacted, no secret anywhere', async (mech) => {
    const pki = await makeTestPki();
    const mail = await startSmtpPeer({ tls: pki.server, auth: { user: USER, pass: PASSWORD }, authMethods: [mech], allowInsecureAuth: false });
    const proxy = await startSocksPeer({ auth: { user: 'px', pass: PROXY_PASSWORD } });
    keep(mail); keep(proxy);
    const acc = account({
      host: mail.host,
      port: mail.port,
      enable_start_tls: true,
      trusted_certs: pki.caCert,
      user: USER,
      password: PASSWORD,
      proxy_host: proxy.host,
      proxy_port: proxy.port,
      proxy_user: 'px',
      proxy_password: PROXY_PASSWORD,
      debug: true,
    });
    const n = render(basicParams);
    const { result, logText } = await deliver(n, acc);
    expect(result).toMatchObject({ ok: true });
    expect(mail.sessions.some((s) => s.authUser === USER)).toBe(true);
    const log = logText();
    // The protocol log is really there (so this test can fail), and its AUTH line is redacted.
    expect(log).toMatch(/STARTTLS/);
    expect(log).toMatch(/AUTH/);
    expectNoSecret(log);
    expectNoSecret(JSON.stringify(result));
    expectNoSecret(JSON.stringify(n));
  });

  it('failures: wrong password, a server echoing the password, wrong proxy password, account test', async () => {
    const outputs: string[] = [];
    const mail = await startSmtpPeer({ auth: { user: USER, pass: 'the-right-one' } });
    keep(mail);
    const wrongAuth = await deliver(render(basicParams), account({ host: mail.host, port: mail.port, user: USER, password: PASSWORD, debug: true }));
    expect(wrongAuth.result).toMatchObject({ ok: false, code: 'SMTP_AUTH' });
    outputs.push(JSON.stringify(wrongAuth.result), wrongAuth.logText());

    const echo = await startSmtpPeer({ auth: { user: USER, pass: PASSWORD }, faults: { RCPT: { code: 550, message: `user ${USER}/${PASSWORD} may not send` } } });
    keep(echo);
    const echoed = await deliver(render(basicParams), account({ host: echo.host, port: echo.port, user: USER, password: PASSWORD, debug: true }));
    expect(echoed.result).toMatchObject({ ok: false, retry: false, code: 'SMTP_5YZ' });
    if (!echoed.result.ok) expect(echoed.result.message).toContain('[redacted]');
    outputs.push(JSON.stringify(echoed.result), echoed.logText());

    const proxy = await startSocksPeer({ auth: { user: 'px', pass: 'proxy-right' } });
    keep(proxy);
    const wrongProxy = await deliver(
      render(basicParams),
      account({ host: mail.host, port: mail.port, proxy_host: proxy.host, proxy_port: proxy.port, proxy_user: 'px', proxy_password: PROXY_PASSWORD, debug: true }),
    );
    expect(wrongProxy.result).toMatchObject({ ok: false, code: 'SMTP_PROXY' });
    outputs.push(JSON.stringify(wrongProxy.result), wrongProxy.logText());

    const log = captureLogger('trace');
    const tested = await testAccount(account({ host: mail.host, port: mail.port, user: USER, password: PASSWORD, default_from: 'v@example.com', debug: true }), { to: 'a@example.com' }, testDeps(log.logger));
    expect(tested).toMatchObject({ ok: false, code: 'SMTP_AUTH' });
    outputs.push(JSON.stringify(tested), log.text());

    expectNoSecret(outputs.join('\n'));
  });
});
