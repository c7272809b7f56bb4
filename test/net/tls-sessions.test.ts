/**
 * `tls.client_session_timeout`: a TLS session is resumed (its certificate checks skipped) only within
 * that many seconds of the full handshake that made it, against a real TLS server that reports which
 * handshakes were resumptions. Every answer closes its connection, so each request handshakes anew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TLSSocket } from 'node:tls';
import { EventEmitter } from 'node:events';
import { EgressPolicy } from '../../src/net/egress.ts';
import { TlsSessionCache } from '../../src/net/tls-sessions.ts';
import { createHttpClient } from '../../src/net/http.ts';
import type { HttpClient, HttpRequest } from '../../src/net/types.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { makeCa, makeLeaf } from './pki.ts';
import { startPeer, type Peer } from './peers.ts';

let ca: { key: string; cert: string };
let server: Peer;
/** Per handshake: whether it resumed a session. */
const resumed: boolean[] = [];

beforeAll(async () => {
  ca = await makeCa();
  const leaf = await makeLeaf(ca, { cn: 'secure.test', dns: ['secure.test'] });
  server = await startPeer((req, res) => {
    resumed.push((req.socket as TLSSocket).isSessionReused());
    res.setHeader('connection', 'close');
    res.end('ok');
  }, { tls: { key: leaf.key, cert: leaf.cert } });
});
afterAll(() => server?.close());

describe('tls.client_session_timeout', () => {
  let clock: FakeClock;
  let c: HttpClient;
  const clients: HttpClient[] = [];
  afterAll(() => Promise.all(clients.map((x) => x.close())));

  const client = () => {
    clock = new FakeClock();
    c = createHttpClient({
      policy: new EgressPolicy({ allow: ['127.0.0.1'] }),
      logger: captureLogger('debug', { redact: false }).logger,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      clock,
    });
    clients.push(c);
    resumed.length = 0;
  };
  const get = (tls: HttpRequest['tls']) => c.request({ method: 'GET', url: `https://secure.test:${server.port}/`, tls: { trusted_certs: ca.cert, ...tls } });

  it('resumes a session within the timeout, and makes a full handshake (certificates checked) once it has passed', async () => {
    client();
    for (const step of [0, 500, 499, 1, 999, 1]) {
      await clock.advance(step);
      expect((await get({ client_session_timeout: 1000 })).body).toBe('ok');
    }
    // 0: full; +500: resumed; +999: resumed; +1000: full again; +1999 (999 after that one): resumed — the
    // resumed handshakes did not extend the first session's time; +2000: full.
    expect(resumed).toEqual([false, true, true, false, true, false]);
  });

  it('0 means no limit', async () => {
    client();
    await get({ client_session_timeout: 0 });
    await clock.advance(86_400_000);
    await get({ client_session_timeout: 0 });
    expect(resumed).toEqual([false, true]);
  });

  it('without it, no session is resumed (each connection checks the certificates)', async () => {
    client();
    await get({});
    await get({});
    expect(resumed).toEqual([false, false]);
  });
});

describe('the session cache', () => {
  // Node's TLS server issues no new ticket on a resumed handshake; other servers do. A ticket received
  // on a resumed connection must keep the time of the full handshake behind it.
  const socket = (reused: boolean) => Object.assign(new EventEmitter(), { isSessionReused: () => reused }) as unknown as TLSSocket;

  it('a ticket from a resumed handshake does not extend the session past its full handshake', async () => {
    const clock = new FakeClock();
    const cache = new TlsSessionCache(1000, clock);
    const full = socket(false);
    cache.track('h:443', full, undefined);
    full.emit('session', Buffer.from('ticket-1'));
    await clock.advance(900);
    const offered = cache.offer('h:443');
    expect(offered?.session.toString()).toBe('ticket-1');
    const again = socket(true);
    cache.track('h:443', again, offered);
    again.emit('session', Buffer.from('ticket-2'));
    expect(cache.offer('h:443')?.session.toString()).toBe('ticket-2');
    await clock.advance(100);
    expect(cache.offer('h:443')).toBeUndefined();
  });
});
