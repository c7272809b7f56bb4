import { describe, expect, it } from 'vitest';
import { cachedTransportCount } from '../../../src/actions/email/transport.ts';
import { builtinRegistry } from '../../../src/registry/builtin.ts';
import { startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../kit/smtp-peer.ts';
import { account, basicParams, closeAfterEach, deliver, render } from './helpers.ts';

const keep = closeAfterEach();

async function peer(o: SmtpPeerOptions): Promise<SmtpPeer> {
  return keep(await startSmtpPeer(o));
}

describe('email: SMTP reply codes', () => {
  it.each([
    ['MAIL', 421],
    ['MAIL', 451],
    ['RCPT', 451],
    ['DATA', 451],
  ] as const)('%s %i is transient: retry, and the next attempt goes through', async (cmd, code) => {
    const p = await peer({ faults: { [cmd]: { code, times: 1 } } });
    const acc = account({ host: p.host, port: p.port });
    const n = render(basicParams);
    const first = await deliver(n, acc, { accountId: 'fault-acc' });
    expect(first.result).toMatchObject({ ok: false, retry: true, code: 'SMTP_4YZ' });
    expect(p.messages).toHaveLength(0);
    // The deliverer retries with the same notification; the pooled transport survives the failure.
    const second = await deliver(n, acc, { accountId: 'fault-acc' });
    expect(second.result).toMatchObject({ ok: true });
    expect(p.messages).toHaveLength(1);
  });

  it.each([
    ['RCPT', 550],
    ['MAIL', 553],
    ['DATA', 554],
  ] as const)('%s %i is permanent: no retry', async (cmd, code) => {
    const p = await peer({ faults: { [cmd]: { code, message: 'mailbox unavailable' } } });
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port }));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_5YZ' });
    if (!result.ok) expect(result.message).toMatch(/mailbox unavailable/);
    expect(p.messages).toHaveLength(0);
  });

  it('a refused connection is retryable', async () => {
    const p = await startSmtpPeer({});
    const port = p.port;
    await p.close();
    const { result } = await deliver(render(basicParams), account({ host: '127.0.0.1', port }));
    expect(result).toMatchObject({ ok: false, retry: true });
  });

  it('wrong credentials are permanent (SMTP_AUTH)', async () => {
    const p = await peer({ auth: { user: 'vigil', pass: 'right-password' } });
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port, user: 'vigil', password: 'wrong-password' }));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'SMTP_AUTH' });
  });
});

describe('email: tarpit and timeouts', () => {
  it('a server that never greets is abandoned after the greeting timeout, and the failure is retryable', async () => {
    const p = await peer({ tarpit: true });
    const acc = account({ host: p.host, port: p.port, session_timeout: { connect: 2, greeting: '300ms', socket: 2 } });
    const t0 = performance.now();
    const { result } = await deliver(render(basicParams), acc);
    const elapsed = performance.now() - t0;
    expect(result).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(p.connections).toBe(1);
    // Fired at the configured greeting timeout: not before it, and far from nodemailer's 30 s default
    // or the 2 s connect/socket budget.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a tarpitted account does not hold up deliveries to another account', async () => {
    const tarpit = await peer({ tarpit: true });
    const relay = await peer({});
    const stuck = deliver(render(basicParams), account({ host: tarpit.host, port: tarpit.port, session_timeout: { greeting: 1.5 } }));
    let stuckDone = false;
    void stuck.then(() => (stuckDone = true));
    const { result } = await deliver(render(basicParams), account({ host: relay.host, port: relay.port }));
    expect(result).toMatchObject({ ok: true });
    expect(stuckDone).toBe(false);
    expect((await stuck).result).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
  });

  it('one session_timeout value bounds the whole wait', async () => {
    const p = await peer({ tarpit: true });
    const t0 = performance.now();
    const { result } = await deliver(render(basicParams), account({ host: p.host, port: p.port, session_timeout: '250ms' }));
    const elapsed = performance.now() - t0;
    expect(result).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeLessThan(1500);
  });
});

describe('email: pooled transport', () => {
  it('is reused across deliveries of one account and rebuilt when the account changes', async () => {
    const p = await peer({});
    const acc = account({ host: p.host, port: p.port });
    const n = render(basicParams);
    expect((await deliver(n, acc, { accountId: 'pool' })).result.ok).toBe(true);
    expect((await deliver(n, acc, { accountId: 'pool' })).result.ok).toBe(true);
    expect(cachedTransportCount()).toBe(1);
    // Two messages over one pooled SMTP connection.
    expect(p.connections).toBe(1);
    const p2 = await peer({});
    expect((await deliver(n, account({ host: p2.host, port: p2.port }), { accountId: 'pool' })).result.ok).toBe(true);
    expect(cachedTransportCount()).toBe(1);
    expect(p2.messages).toHaveLength(1);
    expect(p.messages).toHaveLength(2);
  });

  it('is closed by the registry at shutdown (the manifest\'s close)', async () => {
    const p = await peer({});
    expect((await deliver(render(basicParams), account({ host: p.host, port: p.port }), { accountId: 'closing' })).result.ok).toBe(true);
    expect(cachedTransportCount()).toBe(1);
    await builtinRegistry().close();
    expect(cachedTransportCount()).toBe(0);
  });
});
