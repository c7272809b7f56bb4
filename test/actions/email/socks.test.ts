import { describe, expect, it } from 'vitest';
import { makeSelfSigned } from '../../kit/certs.ts';
import { startSmtpPeer } from '../../kit/smtp-peer.ts';
import { startSocksPeer } from '../../kit/socks-peer.ts';
import { account, basicParams, closeAfterEach, deliver, PASSWORD, PROXY_PASSWORD, render } from './helpers.ts';

const keep = closeAfterEach();

async function smtp(o: Parameters<typeof startSmtpPeer>[0] = {}) {
  return keep(await startSmtpPeer(o));
}
async function socks(o: Parameters<typeof startSocksPeer>[0] = {}) {
  return keep(await startSocksPeer(o));
}

describe('email: SOCKS5 proxy', () => {
  it('sends through a proxy with user/password; the proxy sees the CONNECT to the SMTP server', async () => {
    const mail = await smtp({ auth: { user: 'vigil', pass: PASSWORD } });
    const proxy = await socks({ auth: { user: 'px-user', pass: PROXY_PASSWORD } });
    const acc = account({
      host: mail.host,
      port: mail.port,
      user: 'vigil',
      password: PASSWORD,
      proxy_host: proxy.host,
      proxy_port: proxy.port,
      proxy_user: 'px-user',
      proxy_password: PROXY_PASSWORD,
    });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: true });
    expect(proxy.connects).toEqual([`127.0.0.1:${mail.port}`]);
    expect(proxy.authAttempts).toEqual([{ user: 'px-user', ok: true }]);
    expect(mail.messages).toHaveLength(1);
  });

  it('a proxy password with URL-special characters is passed intact', async () => {
    const mail = await smtp();
    const odd = 'p@ss:w/rd%?#';
    const proxy = await socks({ auth: { user: 'u s', pass: odd } });
    const acc = account({ host: mail.host, port: mail.port, proxy_host: proxy.host, proxy_port: proxy.port, proxy_user: 'u s', proxy_password: odd });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: true });
  });

  it('a wrong proxy password fails permanently and nothing reaches the SMTP server', async () => {
    const mail = await smtp();
    const proxy = await socks({ auth: { user: 'px-user', pass: PROXY_PASSWORD } });
    const acc = account({ host: mail.host, port: mail.port, proxy_host: proxy.host, proxy_port: proxy.port, proxy_user: 'px-user', proxy_password: 'not-the-password' });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_PROXY' });
    expect(proxy.authAttempts).toEqual([{ user: 'px-user', ok: false }]);
    expect(proxy.connects).toEqual([]);
    expect(mail.connections).toBe(0);
  });

  it('an unreachable proxy is retryable', async () => {
    const mail = await smtp();
    const proxy = await startSocksPeer();
    const port = proxy.port;
    await proxy.close();
    const { result } = await deliver(render(basicParams), account({ host: mail.host, port: mail.port, proxy_host: '127.0.0.1', proxy_port: port, session_timeout: '2s' }));
    expect(result).toMatchObject({ ok: false, retry: true });
    expect(mail.connections).toBe(0);
  });

  it('trusted_hosts probing goes through the proxy too', async () => {
    const mail = await smtp({ secure: true, tls: await makeSelfSigned('smtp.vigil.test') });
    const proxy = await socks();
    const acc = account({ host: mail.host, port: mail.port, enable_tls: true, trusted_hosts: ['smtp.vigil.test'], proxy_host: proxy.host, proxy_port: proxy.port });
    const { result } = await deliver(render(basicParams), acc);
    expect(result).toMatchObject({ ok: true });
    // One CONNECT for the certificate probe, one for the session.
    expect(proxy.connects).toEqual([`127.0.0.1:${mail.port}`, `127.0.0.1:${mail.port}`]);
  });
});
