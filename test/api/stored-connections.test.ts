/**
 * Stored proxies and trust stores on the wire, through the whole app (REST API, watch service, HTTP
 * client) against real peers on loopback: a watch naming a stored proxy goes through it with its
 * stored credentials, a stored trust store makes a self-signed server trusted, a change through the
 * API applies to the watch's next request, the egress policy judges the proxy, and the proxy password
 * shows up nowhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSigned, makeTestPki } from '../kit/certs.ts';
import { startProxyPeer, type ProxyPeer } from '../kit/http-proxy-peer.ts';
import { startPeer, type Peer } from '../net/peers.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

const PASSWORD = 'S3cret-proxy-pw-Lima';
const basicProxyAuth = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

describe('stored proxies and trust stores on the wire', () => {
  let h: Harness;
  let admin: Record<string, string>;
  let target: Peer;
  let proxy: ProxyPeer;
  let tlsTarget: Peer;
  let selfSigned: { key: string; cert: string };
  const received: string[] = [];

  beforeAll(async () => {
    selfSigned = await makeSelfSigned('localhost');
    [h, target, proxy, tlsTarget] = await Promise.all([
      startHarness({ egressAllow: ['127.0.0.1', 'localhost'] }),
      startPeer((q, s) => {
        received.push(`${q.method} ${q.url}`);
        s.setHeader('content-type', 'application/json');
        s.end('{"ok":true}');
      }),
      startProxyPeer({ user: 'ops', password: PASSWORD }),
      startPeer((_q, s) => s.setHeader('content-type', 'application/json').end('{"temperature":27}'), { tls: { key: selfSigned.key, cert: selfSigned.cert } }),
    ]);
    admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([target?.close(), proxy?.close(), tlsTarget?.close()]);
  });

  const put = async (url: string, payload: unknown, status = 200) => {
    const res = await h.call({ method: 'PUT', url, headers: admin, payload: payload as object });
    expect(res.statusCode, res.body).toBe(status);
    return res;
  };
  const execute = (id: string) => h.call({ method: 'POST', url: `/_signals/watch/_main/${id}/_execute`, headers: admin, payload: { record_execution: true } });

  it('a watch using a stored proxy goes through it, for its check and its webhook, with the stored credentials', async () => {
    await put('/_signals/proxies/corp', { name: 'corporate', uri: `http://ops:${PASSWORD}@127.0.0.1:${proxy.port}` });
    await put(
      '/_signals/watch/_main/via-proxy',
      {
        trigger: { schedule: { interval: '1h' } },
        checks: [{ type: 'http', name: 'probe', target: 'probe', request: { url: `${target.origin}/status` }, proxy: 'corp' }],
        actions: [{ type: 'webhook', name: 'hook', request: { method: 'POST', url: `${target.origin}/hook`, body: 'hi' }, proxy: 'corp' }],
      },
      201,
    );
    const res = await execute('via-proxy');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: { code: 'ACTION_EXECUTED' }, actions: [{ status: { code: 'ACTION_EXECUTED' } }] });
    expect(received).toEqual(['GET /status', 'POST /hook']);
    // One tunnel, kept alive for both requests (they share the proxy and TLS settings).
    expect(proxy.connects).toEqual([{ target: `127.0.0.1:${target.port}`, auth: basicProxyAuth(PASSWORD) }]);
  });

  it('a change of the stored proxy applies to the running watch at its next request', async () => {
    await put('/_signals/proxies/corp', { uri: `http://ops:wrong-password@127.0.0.1:${proxy.port}` });
    const refused = await execute('via-proxy');
    expect(refused.statusCode).toBe(422);
    expect(proxy.connects.at(-1)!.auth).toBe(basicProxyAuth('wrong-password'));
    expect(received).toHaveLength(2);
    await put('/_signals/proxies/corp', { uri: `http://ops:${PASSWORD}@127.0.0.1:${proxy.port}` });
    expect((await execute('via-proxy')).json().status.code).toBe('ACTION_EXECUTED');
    expect(received).toHaveLength(4);
  });

  it('the egress policy judges the stored proxy\'s host: a denied one is never connected to', async () => {
    const elsewhere = await startPeer((_q, s) => s.end(), { host: '127.0.0.2' });
    try {
      await put('/_signals/proxies/outside', { uri: `http://127.0.0.2:${elsewhere.port}` });
      await put(
        '/_signals/watch/_main/via-outside',
        { trigger: { schedule: { interval: '1h' } }, checks: [{ type: 'http', name: 'probe', request: { url: `${target.origin}/status` }, proxy: 'outside' }], actions: [] },
        201,
      );
      const res = await execute('via-outside');
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toMatch(/egress denied for 127\.0\.0\.2/);
      expect(elsewhere.connections).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('a stored trust store makes a self-signed server trusted; replacing its certificate applies at the next request', async () => {
    const watch = (tls?: object) => ({
      trigger: { schedule: { interval: '1h' } },
      checks: [{ type: 'http', name: 'temp', target: 'maxtmp', request: { url: `https://localhost:${tlsTarget.port}/current-temperature` }, ...(tls ? { tls } : {}) }],
      actions: [],
    });
    await put('/_signals/watch/_main/untrusted', watch(), 201);
    const untrusted = await execute('untrusted');
    expect(untrusted.statusCode).toBe(422);
    expect(untrusted.json().error.message).toMatch(/TLS handshake failed/);

    await put('/_signals/truststores/iot-truststore', { name: 'iot', pem: selfSigned.cert });
    await put('/_signals/watch/_main/trusted', watch({ truststore_id: 'iot-truststore', client_session_timeout: 1 }), 201);
    const trusted = await execute('trusted');
    expect(trusted.statusCode, trusted.body).toBe(200);
    expect(trusted.json().status.code).toBe('NO_ACTION');

    // Another certificate in the store: the server is no longer trusted.
    await put('/_signals/truststores/iot-truststore', { pem: (await makeTestPki()).caCert });
    expect((await execute('trusted')).statusCode).toBe(422);
    await put('/_signals/truststores/iot-truststore', { pem: selfSigned.cert });
    expect((await execute('trusted')).statusCode).toBe(200);
  });

  it('with an account, a webhook cannot name a stored proxy or trust store: the account decides where its secrets go', async () => {
    await put('/_signals/account/webhook/hook', { url: target.origin, headers: { 'x-api-key': 'k' } }, 201);
    const res = await h.call({
      method: 'PUT',
      url: '/_signals/watch/_main/account-proxy',
      headers: admin,
      payload: { trigger: { schedule: { interval: '1h' } }, checks: [], actions: [{ type: 'webhook', name: 'a', account: 'hook', request: { path: '/x' }, proxy: 'corp', tls: { truststore_id: 'iot-truststore' } }] },
    });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().detail).sort()).toEqual(['actions[0].proxy', 'actions[0].tls.truststore_id']);
  });

  it('the proxy password is in no response, watch log record or log line', async () => {
    expect(h.bodies.length).toBeGreaterThan(10);
    expect(h.bodies.join('\n')).not.toContain(PASSWORD);
    expect(h.logs.join('')).not.toContain(PASSWORD);
    expect(h.logs.join('')).not.toContain(Buffer.from(`ops:${PASSWORD}`).toString('base64'));
    const log = await h.app.store.log.query({ size: 100 });
    expect(log.length).toBeGreaterThan(3);
    expect(JSON.stringify(log)).not.toContain(PASSWORD);
  });
});
