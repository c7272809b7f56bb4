/**
 * `POST /_signals/account/{type}/{id}/_test` sends through the same gates as a delivery: the egress
 * policy for the SMTP server and its SOCKS proxy (so it cannot probe loopback ports), and the node's
 * disabled action types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../kit/smtp-peer.ts';
import { startSocksPeer, type SocksPeer } from '../kit/socks-peer.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

let h: Harness;
let admin: Record<string, string>;
let denied: SmtpPeer;
let allowed: SmtpPeer;
let socks: SocksPeer;

beforeAll(async () => {
  denied = await startSmtpPeer();
  allowed = await startSmtpPeer();
  socks = await startSocksPeer();
  // Only the second SMTP server is allowed; loopback is otherwise denied, as by default.
  h = await startHarness({ egressAllow: [`127.0.0.1:${allowed.port}`], disabledActionTypes: ['pagerduty'] });
  admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
});
afterAll(async () => {
  await h?.close();
  for (const p of [denied, allowed, socks]) await p?.close();
});

const putAccount = async (path: string, body: Record<string, unknown>) => {
  const res = await h.call({ method: 'PUT', url: `/_signals/account/${path}`, headers: admin, payload: body });
  expect(res.statusCode, res.body).toBe(201);
};
const test = (path: string, body: Record<string, unknown> = {}) => h.call({ method: 'POST', url: `/_signals/account/${path}/_test`, headers: admin, payload: body });

describe('account _test', () => {
  it('judges the SMTP server by the egress policy: a denied loopback port is not even connected to', async () => {
    await putAccount('email/probe', { host: '127.0.0.1', port: denied.port, default_from: 'vigil@example.com' });
    const res = await test('email/probe', { to: 'ops@example.com' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: false, retry: false, code: 'EGRESS_DENIED' });
    expect(denied.connections).toBe(0);
  });

  it('judges the SOCKS proxy too, even when the SMTP server is allowed', async () => {
    await putAccount('email/via-socks', { host: '127.0.0.1', port: allowed.port, proxy_host: '127.0.0.1', proxy_port: socks.port, default_from: 'vigil@example.com' });
    expect((await test('email/via-socks', { to: 'ops@example.com' })).json()).toMatchObject({ ok: false, code: 'EGRESS_DENIED' });
    expect(socks.connects).toEqual([]);
    expect(allowed.connections).toBe(0);
  });

  it('sends when the destination is allowed', async () => {
    await putAccount('email/fine', { host: '127.0.0.1', port: allowed.port, default_from: 'vigil@example.com' });
    expect((await test('email/fine', { to: 'ops@example.com' })).json()).toMatchObject({ ok: true });
    expect(allowed.messages).toHaveLength(1);
  });

  it('refuses a type disabled on this node with ACTION_TYPE_DISABLED, before any send', async () => {
    await putAccount('pagerduty/pd', { integration_key: 'k0123456789', url: `http://127.0.0.1:${allowed.port}/v2/enqueue` });
    const res = await test('pagerduty/pd');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'ACTION_TYPE_DISABLED', error: expect.stringContaining('disabled') });
    expect(allowed.connections).toBe(1);
  });
});
