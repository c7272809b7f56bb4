import { beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSigned, makeTestPki, type TestPki } from '../../kit/certs.ts';
import { startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../kit/smtp-peer.ts';
import { account, basicParams, closeAfterEach, deliver, PASSWORD, render } from './helpers.ts';

let pki: TestPki;
let selfSigned: { key: string; cert: string };
const keep = closeAfterEach();

beforeAll(async () => {
  pki = await makeTestPki();
  selfSigned = await makeSelfSigned('smtp.vigil.test');
});

async function peer(o: SmtpPeerOptions): Promise<SmtpPeer> {
  return keep(await startSmtpPeer(o));
}

describe('email: TLS modes', () => {
  it('implicit TLS (enable_tls) with a CA bundle', async () => {
    const p = await peer({ secure: true, tls: pki.server });
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port, enable_tls: true, trusted_certs: pki.caCert }));
    expect(result).toMatchObject({ ok: true });
    const [m] = await p.waitForMessages(1);
    expect(m!.secure).toBe(true);
  });

  it('STARTTLS with AUTH: credentials only after the upgrade', async () => {
    const p = await peer({ tls: pki.server, auth: { user: 'vigil', pass: PASSWORD }, allowInsecureAuth: false });
    const acc = account({ host: p.host, port: p.port, enable_start_tls: true, trusted_certs: pki.caCert, user: 'vigil', password: PASSWORD });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: true });
    const [m] = await p.waitForMessages(1);
    expect(m!.secure).toBe(true);
    const s = p.sessions.find((x) => x.id === m!.sessionId)!;
    expect(s.authUser).toBe('vigil');
    const cmds = s.commands.map((c) => c.split(' ')[0]!.toUpperCase());
    expect(cmds.indexOf('STARTTLS')).toBeGreaterThanOrEqual(0);
    expect(cmds.indexOf('STARTTLS')).toBeLessThan(cmds.indexOf('AUTH'));
  });

  it('STARTTLS required but not offered: fails before AUTH, permanently', async () => {
    const p = await peer({ starttls: false, auth: { user: 'vigil', pass: PASSWORD }, allowInsecureAuth: true });
    const acc = account({ host: p.host, port: p.port, enable_start_tls: true, user: 'vigil', password: PASSWORD });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_TLS' });
    expect(p.connections).toBeGreaterThan(0);
    expect(p.sessions.some((s) => s.authSeen)).toBe(false);
    expect(p.sessions.flatMap((s) => s.commands).some((c) => /^AUTH/i.test(c))).toBe(false);
    expect(p.messages).toHaveLength(0);
  });

  it('plain mode does not upgrade even when STARTTLS is offered (no opportunistic TLS)', async () => {
    const p = await peer({ tls: pki.server });
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port }));
    expect(result).toMatchObject({ ok: true });
    const [m] = await p.waitForMessages(1);
    expect(m!.secure).toBe(false);
    expect(p.sessions.flatMap((s) => s.commands).some((c) => /^STARTTLS/i.test(c))).toBe(false);
  });
});

describe('email: server certificates', () => {
  it('a certificate from an unknown CA is refused by default (no retry, nothing sent)', async () => {
    const p = await peer({ secure: true, tls: pki.server });
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port, enable_tls: true }));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_TLS' });
    expect(p.messages).toHaveLength(0);
  });

  it('the same certificate is accepted with the CA bundle (STARTTLS)', async () => {
    const p = await peer({ tls: pki.server });
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port, enable_start_tls: true, trusted_certs: pki.caCert }));
    expect(result).toMatchObject({ ok: true });
  });

  it('a self-signed certificate is refused by default', async () => {
    const p = await peer({ secure: true, tls: selfSigned });
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port, enable_tls: true }));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_TLS' });
  });

  it('trusted_hosts naming the certificate host accepts the self-signed certificate (implicit TLS), with a warning', async () => {
    const p = await peer({ secure: true, tls: selfSigned });
    const acc = account({ host: p.host, port: p.port, enable_tls: true, trusted_hosts: ['smtp.vigil.test'] });
    const { result, logText } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: true });
    expect((await p.waitForMessages(1))[0]!.secure).toBe(true);
    expect(logText()).toMatch(/trusted_hosts.*man in the middle/);
  });

  it('trusted_hosts also works with STARTTLS', async () => {
    const p = await peer({ tls: selfSigned, auth: { user: 'vigil', pass: PASSWORD }, allowInsecureAuth: false });
    const acc = account({
      host: p.host,
      port: p.port,
      enable_start_tls: true,
      trusted_hosts: ['smtp.vigil.test'],
      user: 'vigil',
      password: PASSWORD,
    });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: true });
    expect((await p.waitForMessages(1))[0]!.secure).toBe(true);
  });

  it('trusted_hosts naming another host refuses the certificate, before AUTH', async () => {
    const p = await peer({ tls: selfSigned, auth: { user: 'vigil', pass: PASSWORD }, allowInsecureAuth: false });
    const acc = account({
      host: p.host,
      port: p.port,
      enable_start_tls: true,
      trusted_hosts: ['other.vigil.test'],
      user: 'vigil',
      password: PASSWORD,
    });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_TLS' });
    expect(p.sessions.some((s) => s.authSeen)).toBe(false);
    expect(p.messages).toHaveLength(0);
  });

  it('trusted_hosts does not accept a certificate from a known CA that names another host', async () => {
    const p = await peer({ secure: true, tls: pki.server });
    const acc = account({ host: p.host, port: p.port, enable_tls: true, trusted_certs: pki.caCert, trusted_hosts: ['smtp.vigil.test'] });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_TLS' });
  });

  it('trust_all accepts anything, with a warning', async () => {
    const p = await peer({ secure: true, tls: selfSigned });
    const { result, logText } = await deliver(render(basicParams), account({ host: p.host, port: p.port, enable_tls: true, trust_all: true }));
    expect(result).toMatchObject({ ok: true });
    expect(logText()).toMatch(/trust_all/);
  });
});
