/**
 * Egress for SMTP: the email action's server (and SOCKS proxy) is judged by the daemon's egress
 * policy, like every HTTP destination. Through buildApp, with a real SMTP peer on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../kit/smtp-peer.ts';
import { appKit, type AppKit } from './app-kit.ts';

let kit: AppKit | undefined;
let smtp: SmtpPeer | undefined;
afterEach(async () => {
  await kit?.close();
  await smtp?.close();
  kit = smtp = undefined;
});

async function mailKit(allow: string[], account: Record<string, unknown>): Promise<AppKit> {
  const k = await appKit({ allow, env: { VIGIL_MASTER_KEY: randomBytes(32).toString('base64') } });
  await k.app.accounts!.put('email', 'mail', account);
  k.writeWatch('mail', {
    trigger: { schedule: { interval: '1d' } },
    checks: [],
    actions: [{ type: 'email', name: 'mail', account: 'mail', to: 'ops@example.com', from: 'vigil@example.com', subject: 'egress', text_body: 'x' }],
  });
  return k;
}

describe('SMTP egress', () => {
  it('an SMTP server on 127.0.0.1 is denied when loopback is not allowed: one attempt, no connection', async () => {
    smtp = await startSmtpPeer();
    kit = await mailKit([], { host: '127.0.0.1', port: smtp.port });
    const rec = await kit.execute('mail');
    expect(rec.actions[0]!.status.code).toBe('ACTION_FAILED');
    expect(rec.actions[0]!.error?.detail).toBe('EGRESS_DENIED');
    expect(rec.actions[0]!.delivery!.attempts).toBe(1);
    expect(smtp.connections).toBe(0);
    expect(kit.logs.lines.some((l) => l.code === 'EGRESS_DENIED' && l.port === smtp!.port)).toBe(true);
  });

  it('literal tricks for loopback (2130706433, 0x7f.1) are denied too', async () => {
    smtp = await startSmtpPeer();
    for (const host of ['2130706433', '0x7f.1']) {
      kit = await mailKit([], { host, port: smtp.port });
      const rec = await kit.execute('mail');
      expect(rec.actions[0]!.error?.detail, host).toBe('EGRESS_DENIED');
      await kit.close();
      kit = undefined;
    }
    expect(smtp.connections).toBe(0);
  });

  it('a SOCKS proxy on a denied address is refused even when the SMTP server is allowed', async () => {
    smtp = await startSmtpPeer();
    kit = await mailKit(['127.0.0.1'], { host: '127.0.0.1', port: smtp.port, proxy_host: '169.254.169.254', proxy_port: 1080 });
    const rec = await kit.execute('mail');
    expect(rec.actions[0]!.error?.detail).toBe('EGRESS_DENIED');
    expect(rec.actions[0]!.error?.message).toMatch(/169\.254\.169\.254:1080/);
  });

  it('is delivered when 127.0.0.1 is allowed', async () => {
    smtp = await startSmtpPeer();
    kit = await mailKit(['127.0.0.1'], { host: '127.0.0.1', port: smtp.port });
    const rec = await kit.execute('mail');
    expect(rec.actions[0]!.status.code).toBe('ACTION_EXECUTED');
    expect(smtp.messages).toHaveLength(1);
  });
});
