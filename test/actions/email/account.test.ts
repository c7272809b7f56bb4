import { describe, expect, it } from 'vitest';
import { emailAction, testAccount } from '../../../src/actions/email/index.ts';
import { endpointOf, sessionTimeouts } from '../../../src/actions/email/account.ts';
import { view } from '../../kit/action-deps.ts';
import { captureLogger } from '../../kit/log-capture.ts';
import { makeTestPki } from '../../kit/certs.ts';
import { startSmtpPeer } from '../../kit/smtp-peer.ts';
import { account, basicParams, closeAfterEach, deliver, PASSWORD, render, testDeps } from './helpers.ts';

const keep = closeAfterEach();

async function smtp(o: Parameters<typeof startSmtpPeer>[0] = {}) {
  return keep(await startSmtpPeer(o));
}

const schema = emailAction.account!.schema;
const paths = (v: unknown) => {
  const r = schema.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('email account schema', () => {
  it('accepts a Signals account as written (its export fields `type` and `_name` are taken off by the registry)', () => {
    expect(
      schema.safeParse({ host: 'smtp.example.com', port: 465, user: 'signals', password: 'secret', enable_tls: true, default_from: 'signals@example.com', default_bcc: 'signals@example.com', session_timeout: 120 }).success,
    ).toBe(true);
  });

  it('is strict and checks the cross-field rules', () => {
    expect(paths({ host: 'h', bogus: 1 })).toEqual(['']);
    expect(paths({ port: 25 })).toContain('host');
    expect(paths({ host: 'h', enable_tls: true, enable_start_tls: true })).toContain('enable_start_tls');
    expect(paths({ host: 'h', proxy_host: 'p' })).toContain('proxy_port');
    expect(paths({ host: 'h', proxy_password: 'x' })).toEqual(expect.arrayContaining(['proxy_host', 'proxy_user']));
    expect(paths({ host: 'h', trusted_certs: 'not a pem' })).toContain('trusted_certs');
    expect(paths({ host: 'h', default_to: 'nobody' })).toContain('default_to');
    expect(paths({ service: 'no-such-provider' })).toContain('service');
    expect(paths({ host: 'h', session_timeout: 'soon' })).toContain('session_timeout');
    expect(paths({ host: 'h', domain_allowlist: ['example.com'], default_from: 'x@other.test' })).toContain('default_from');
  });

  it('the secret fields are declared', () => {
    expect(emailAction.account!.secretFields).toEqual(['password', 'proxy_password']);
    expect(emailAction.account!.required).toBe(true);
  });

  it('session_timeout: defaults 10 s / 10 s / 60 s, one value for all, or per phase', () => {
    expect(sessionTimeouts(account({ host: 'h' }))).toEqual({ connectMs: 10_000, greetingMs: 10_000, socketMs: 60_000 });
    expect(sessionTimeouts(account({ host: 'h', session_timeout: 5 }))).toEqual({ connectMs: 5000, greetingMs: 5000, socketMs: 5000 });
    expect(sessionTimeouts(account({ host: 'h', session_timeout: { greeting: '3s' } }))).toEqual({ connectMs: 10_000, greetingMs: 3000, socketMs: 60_000 });
  });

  it('session_timeout numbers are seconds, as Signals documents; strings are durations; at most an hour', () => {
    expect(sessionTimeouts(account({ host: 'h', session_timeout: 10 }))).toEqual({ connectMs: 10_000, greetingMs: 10_000, socketMs: 10_000 });
    expect(sessionTimeouts(account({ host: 'h', session_timeout: 0.5 }))).toEqual({ connectMs: 500, greetingMs: 500, socketMs: 500 });
    expect(sessionTimeouts(account({ host: 'h', session_timeout: '30s' }))).toEqual({ connectMs: 30_000, greetingMs: 30_000, socketMs: 30_000 });
    expect(sessionTimeouts(account({ host: 'h', session_timeout: { connect: 2, socket: '1m' } }))).toEqual({ connectMs: 2000, greetingMs: 10_000, socketMs: 60_000 });
    // A value meant as milliseconds would be hours: refused, not silently waited for.
    expect(paths({ host: 'h', session_timeout: 10_000 })).toEqual(['session_timeout']);
    expect(paths({ host: 'h', session_timeout: { greeting: 5000 } })).toEqual(['session_timeout.greeting']);
    expect(paths({ host: 'h', session_timeout: '2h' })).toEqual(['session_timeout']);
    expect(paths({ host: 'h', session_timeout: 0 })).toEqual(['session_timeout']);
  });

  it('service fills host, port and TLS unless the account says otherwise', () => {
    expect(endpointOf(account({ service: 'gmail' }))).toEqual({ host: 'smtp.gmail.com', port: 465, tls: 'implicit' });
    expect(endpointOf(account({ service: 'gmail', enable_start_tls: true, port: 587 }))).toEqual({ host: 'smtp.gmail.com', port: 587, tls: 'starttls' });
    expect(endpointOf(account({ host: 'mail.example.com' }))).toEqual({ host: 'mail.example.com', port: 587, tls: 'none' });
  });
});

describe('email: account defaults', () => {
  it('default_from/to/cc/bcc (name-addr) fill fields the action leaves out', async () => {
    const p = await smtp();
    const acc = account({
      host: p.host,
      port: p.port,
      default_from: 'Vigil Alerts <alerts@example.com>',
      default_to: ['Ops <ops@example.com>', 'dev@example.com'],
      default_cc: 'Lead <lead@example.com>',
      default_bcc: 'audit@example.com',
    });
    const n = render({ subject: 'defaults', text_body: 'x' });
    expect((await deliver(n, acc)).result.ok).toBe(true);
    const [m] = await p.waitForMessages(1);
    expect(m!.parsed.from?.value).toEqual([{ name: 'Vigil Alerts', address: 'alerts@example.com' }]);
    const to = m!.parsed.to;
    expect(to && !Array.isArray(to) ? to.value : []).toEqual([
      { name: 'Ops', address: 'ops@example.com' },
      { name: '', address: 'dev@example.com' },
    ]);
    expect(m!.envelope.to.sort()).toEqual(['audit@example.com', 'dev@example.com', 'lead@example.com', 'ops@example.com']);
    expect(m!.raw).not.toMatch(/^Bcc:/im);
    // Explicit action fields win over the defaults, field by field.
    const n2 = render({ to: 'other@example.com', from: 'me@example.com', subject: 's', text_body: 'x' });
    expect((await deliver(n2, acc)).result.ok).toBe(true);
    const m2 = (await p.waitForMessages(2))[1]!;
    expect(m2.envelope.from).toBe('me@example.com');
    expect(m2.envelope.to.sort()).toEqual(['audit@example.com', 'lead@example.com', 'other@example.com']);
  });

  it('no from and no default_from is a permanent failure', async () => {
    const p = await smtp();
    const { result } = await deliver(render({ to: 'a@example.com', text_body: 'x' }), account({ host: p.host, port: p.port }));
    expect(result).toMatchObject({ ok: false, retry: false });
  });
});

describe('email: domain allowlist', () => {
  const acc = (extra: Record<string, unknown> = {}) => account({ host: '127.0.0.1', port: 25, domain_allowlist: ['example.com', '*.corp.example.org'], ...extra });

  it('is checked at load for literal addresses, with paths', () => {
    const params = emailAction.params.parse({ to: ['ok@example.com', 'x@evil.test'], cc: 'a@team.corp.example.org', bcc: 'b@corp.example.org', from: 'v@example.com', text_body: 'x' });
    expect(emailAction.checkAccount!(params, acc())).toEqual([
      ['to[1]', expect.stringContaining('x@evil.test')],
      ['bcc', expect.stringContaining('b@corp.example.org')],
    ]);
    const templated = emailAction.params.parse({ to: '{{data.who}}', from: 'v@example.com', text_body: 'x' });
    expect(emailAction.checkAccount!(templated, acc())).toEqual([]);
  });

  it('is enforced again at send on the rendered addresses: nothing is sent', async () => {
    const p = await smtp();
    const n = render({ to: '{{data.who}}', from: 'v@example.com', subject: 's', text_body: 'x' }, view({ who: 'Mallory <m@evil.test>' }));
    const { result } = await deliver(n, acc({ port: p.port }));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'EGRESS_DENIED' });
    if (!result.ok) expect(result.message).toContain('m@evil.test');
    expect(p.connections).toBe(0);
    const ok = render({ to: '{{data.who}}', from: 'v@example.com', subject: 's', text_body: 'x' }, view({ who: 'Ann <ann@dept.corp.example.org>' }));
    expect((await deliver(ok, acc({ port: p.port }))).result).toMatchObject({ ok: true });
  });
});

describe('email: account test (_test endpoint)', () => {
  it('sends a real test message through the same path and returns the server reply', async () => {
    const pki = await makeTestPki();
    const p = await smtp({ tls: pki.server, auth: { user: 'vigil', pass: PASSWORD }, allowInsecureAuth: false });
    const acc = account({ host: p.host, port: p.port, enable_start_tls: true, trusted_certs: pki.caCert, user: 'vigil', password: PASSWORD, default_from: 'vigil@example.com' });
    const log = captureLogger('trace');
    const result = await testAccount(acc, { to: 'ops@example.com' }, testDeps(log.logger));
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^250 /) });
    const [m] = await p.waitForMessages(1);
    expect(m!.parsed.subject).toBe('Vigil test message');
    expect(m!.secure).toBe(true);
  });

  it('returns the classified error', async () => {
    const p = await smtp({ auth: { user: 'vigil', pass: 'right' } });
    const acc = account({ host: p.host, port: p.port, user: 'vigil', password: 'wrong-password-123', default_from: 'vigil@example.com' });
    const result = await testAccount(acc, { to: 'ops@example.com' }, testDeps(captureLogger('trace').logger));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_AUTH' });
    if (!result.ok) expect(result.message).not.toContain('wrong-password-123');
  });
});

describe('email: render output', () => {
  it('is plain JSON with no account data', () => {
    const n = render(basicParams);
    expect(JSON.parse(JSON.stringify(n))).toEqual(n);
    expect(n.kind).toBe('fire');
  });
});
