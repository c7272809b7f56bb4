import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressPolicy } from '../../src/net/egress.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { HttpError, type HttpClient } from '../../src/net/types.ts';
import { startPeer, type Peer } from './peers.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { makeCa, makeLeaf } from './pki.ts';
import { rejected } from '../kit/rejected.ts';

let ca: { key: string; cert: string };
let otherCa: { key: string; cert: string };
let server: Peer;
let mtls: Peer;
let c: HttpClient;
let clientLeaf: { key: string; cert: string };
const servernames: Array<string | false | null> = [];

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([makeCa(), makeCa('Unrelated CA')]);
  let leaf: { key: string; cert: string };
  [leaf, clientLeaf] = await Promise.all([
    makeLeaf(ca, { cn: 'secure.test', dns: ['secure.test'], ips: ['127.0.0.1'] }),
    makeLeaf(ca, { cn: 'vigil-client', client: true }),
  ]);
  server = await startPeer(
    (req, res) => {
      servernames.push((req.socket as import('node:tls').TLSSocket).servername);
      res.end('secure');
    },
    { tls: { key: leaf.key, cert: leaf.cert } },
  );
  mtls = await startPeer(
    (req, res) => res.end(`hello ${(req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN}`),
    { tls: { key: leaf.key, cert: leaf.cert, ca: ca.cert, requestCert: true, rejectUnauthorized: true } },
  );
  c = createHttpClient({
    policy: new EgressPolicy({ allow: ['127.0.0.1'] }),
    logger: captureLogger('debug', { redact: false }).logger,
    resolve: async () => [{ address: '127.0.0.1', family: 4 }],
  });
});

afterAll(async () => {
  await c.close();
  await server.close();
  await mtls.close();
});

const rejection = (p: Promise<unknown>) => rejected(p, HttpError);

describe('TLS per request', () => {
  it('a certificate from an unknown CA is rejected as tls (not retried as a network error)', async () => {
    const e = await rejection(c.request({ method: 'GET', url: `https://127.0.0.1:${server.port}/` }));
    expect(e.kind).toBe('tls');
    const wrong = await rejection(c.request({ method: 'GET', url: `https://127.0.0.1:${server.port}/`, tls: { trusted_certs: otherCa.cert } }));
    expect(wrong.kind).toBe('tls');
  });

  it('is accepted with trusted_certs, by IP and by name (SNI carries the original host name)', async () => {
    const tls = { trusted_certs: ca.cert };
    expect((await c.request({ method: 'GET', url: `https://127.0.0.1:${server.port}/`, tls })).body).toBe('secure');
    servernames.length = 0;
    expect((await c.request({ method: 'GET', url: `https://secure.test:${server.port}/`, tls })).body).toBe('secure');
    expect(servernames).toEqual(['secure.test']);
  });

  it('checks the host name unless verify_hostnames is false; trust_all skips verification', async () => {
    const url = `https://wrong-name.test:${server.port}/`;
    const e = await rejection(c.request({ method: 'GET', url, tls: { trusted_certs: ca.cert } }));
    expect(e.kind).toBe('tls');
    expect(e.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((await c.request({ method: 'GET', url, tls: { trusted_certs: ca.cert, verify_hostnames: false } })).body).toBe('secure');
    // verify_hostnames: false still verifies the chain.
    expect((await rejection(c.request({ method: 'GET', url, tls: { verify_hostnames: false } }))).kind).toBe('tls');
    expect((await c.request({ method: 'GET', url, tls: { trust_all: true } })).body).toBe('secure');
  });

  it('presents a client certificate with client_auth', async () => {
    const leaf = clientLeaf;
    const tls = { trusted_certs: ca.cert };
    const without = await rejection(c.request({ method: 'GET', url: `https://127.0.0.1:${mtls.port}/`, tls }));
    expect(['tls', 'network']).toContain(without.kind);
    const res = await c.request({
      method: 'GET',
      url: `https://127.0.0.1:${mtls.port}/`,
      tls: { ...tls, client_auth: { certs: leaf.cert, private_key: leaf.key } },
    });
    expect(res.body).toBe('hello vigil-client');
  });

  it('an unusable client key is a tls error whose message holds no key material', async () => {
    const e = await rejection(
      c.request({
        method: 'GET',
        url: `https://127.0.0.1:${mtls.port}/`,
        tls: { trusted_certs: ca.cert, client_auth: { certs: clientLeaf.cert, private_key: 'not-a-key-SECRETMATERIAL' } },
      }),
    );
    expect(e.kind).toBe('tls');
    expect(e.message).not.toContain('SECRETMATERIAL');
  });
});
