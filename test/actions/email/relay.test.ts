import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeEmailTransports } from '../../../src/actions/email/index.ts';
import { startSmtpPeer, type SmtpPeer } from '../../kit/smtp-peer.ts';
import { account, basicParams, deliver, render } from './helpers.ts';

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await closeEmailTransports();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
afterAll(closeEmailTransports);

describe('email: plain relay', () => {
  it('sends through a relay without AUTH and the message arrives with its headers and parts', async () => {
    const peer = await startSmtpPeer();
    peers.push(peer);
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
