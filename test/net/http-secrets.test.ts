import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EgressPolicy } from '../../src/net/egress.ts';
import { createHttpClient, redactUrl } from '../../src/net/http.ts';
import { HttpError } from '../../src/net/types.ts';
import { startPeer } from './peers.ts';
import { captureLogger } from '../kit/log-capture.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('redactUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXSECRET', 'https://hooks.slack.com/services/***'],
    ['https://user:pa55@example.com:8443/api?token=abc', 'https://example.com:8443/api?***'],
    ['http://example.com', 'http://example.com/'],
    ['http://[::1]:9200/idx/_search', 'http://[::1]:9200/idx/***'],
    ['not a url', '[invalid url]'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('secrets in URLs never reach errors or logs', () => {
  const SECRETS = ['pa55w0rd', 'XXXXSECRET', 'qt0k3n', 'B000'];
  const secretPath = (origin: string) =>
    origin.replace('://', '://hook-user:pa55w0rd@') + '/services/T000/B000/XXXXSECRET?token=qt0k3n';

  it('for every failure kind', async () => {
    const log = captureLogger('debug', { redact: false });
    const c = createHttpClient({
      policy: new EgressPolicy({ allow: ['127.0.0.1'] }),
      logger: log.logger,
      resolve: async () => [{ address: '10.9.9.9', family: 4 }],
    });
    cleanup.push(() => c.close());
    const hang = await startPeer(() => {});
    cleanup.push(() => hang.close());
    const closedPort = await (async () => {
      const p = await startPeer((_q, s) => s.end());
      const port = p.port;
      await p.close();
      return port;
    })();

    const attempts = [
      () => c.request({ method: 'POST', url: secretPath(`http://127.0.0.1:${closedPort}`) }),
      () => c.request({ method: 'POST', url: secretPath(hang.origin), readTimeoutMs: 50 }),
      () => c.request({ method: 'POST', url: secretPath('http://127.0.0.2:1') }),
      () => c.request({ method: 'POST', url: secretPath('http://named.test') }),
      () => c.request({ method: 'POST', url: secretPath(hang.origin), headers: { 'x-bad': 'a\r\nb' } }),
      // TLS to a plain-HTTP peer: it answers the ClientHello with an HTTP 400, a TLS failure.
      () => c.request({ method: 'POST', url: secretPath(`https://127.0.0.1:${hang.port}`), connectTimeoutMs: 50 }),
    ];
    const kinds: string[] = [];
    for (const a of attempts) {
      const e = await a().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(HttpError);
      const err = e as HttpError;
      kinds.push(err.kind);
      for (const s of SECRETS) expect(err.message).not.toContain(s);
      expect(err.message).toMatch(/127\.0\.0\.[12]|named\.test/);
    }
    expect(kinds).toEqual(['connect', 'timeout', 'egress_denied', 'egress_denied', 'invalid_request', 'tls']);
    for (const s of SECRETS) expect(log.text()).not.toContain(s);
  });
});

describe('proxy', () => {
  it('tunnels through an allowed HTTP proxy (CONNECT)', async () => {
    const target = await startPeer((_q, s) => s.end('via proxy'));
    cleanup.push(() => target.close());
    const connects: string[] = [];
    const proxy = http.createServer((_q, s) => s.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      connects.push(req.url!);
      const [host, port] = req.url!.split(':');
      const up = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    cleanup.push(async () => {
      proxy.closeAllConnections();
      proxy.close();
    });
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const c = createHttpClient({ policy: new EgressPolicy({ allow: ['127.0.0.1'] }), logger: captureLogger('debug', { redact: false }).logger });
    cleanup.push(() => c.close());
    const res = await c.request({ method: 'GET', url: `${target.origin}/x`, proxy: proxyUrl });
    expect(res.body).toBe('via proxy');
    expect(connects).toEqual([`127.0.0.1:${target.port}`]);
    // The target is still judged (by name/literal) when a proxy is used.
    const e = await c.request({ method: 'GET', url: 'http://127.0.0.2:9/', proxy: proxyUrl }).catch((x: unknown) => x);
    expect((e as HttpError).kind).toBe('egress_denied');
    expect(connects).toHaveLength(1);

    // A proxy given by name is judged on its resolved address at connect time.
    const proxyPort = (proxy.address() as AddressInfo).port;
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const strict = createHttpClient({ policy: new EgressPolicy({ allow: [`127.0.0.1:${target.port}`] }), logger: captureLogger('debug', { redact: false }).logger, resolve });
    cleanup.push(() => strict.close());
    const denied = await strict.request({ method: 'GET', url: target.origin, proxy: `http://proxy.test:${proxyPort}` }).catch((x: unknown) => x);
    expect((denied as HttpError).kind).toBe('egress_denied');
    expect(connects).toHaveLength(1);
    const named = createHttpClient({ policy: new EgressPolicy({ allow: [`127.0.0.1:${target.port}`, 'proxy.test'] }), logger: captureLogger('debug', { redact: false }).logger, resolve });
    cleanup.push(() => named.close());
    expect((await named.request({ method: 'GET', url: target.origin, proxy: `http://proxy.test:${proxyPort}` })).body).toBe('via proxy');
    expect(connects).toHaveLength(2);
  });
});
