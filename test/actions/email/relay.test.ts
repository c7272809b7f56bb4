import { describe, expect, it } from 'vitest';
import { startSmtpPeer } from '../../kit/smtp-peer.ts';
import { account, basicParams, closeAfterEach, deliver, render } from './helpers.ts';

const keep = closeAfterEach();

describe('email: plain relay', () => {
  it('sends through a relay without AUTH and the message arrives with its headers and parts', async () => {
    const peer = await startSmtpPeer();
    keep(peer);
    const n = render(basicParams);
    const { result } = await deliver(n, account({ host: peer.host, port: peer.port }));
    expect(result).toMatchObject({ ok: true });
    const [m] = await peer.waitForMessages(1);
    expect(m!.parsed.subject).toBe('Disk at 3%');
    expect(m!.parsed.text?.trim()).toBe('Plain: 3');
    expect(m!.envelope).toEqual({ from: 'vigil@example.com', to: ['ops@example.com'] });
    expect(peer.sessions[0]!.authSeen).toBe(false);
    expect(m!.secure).toBe(false);
  });
});
