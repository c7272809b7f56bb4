/**
 * Certificates made at test time (never committed): a CA, a server certificate it signed for
 * 127.0.0.1/localhost, and a self-signed one for a chosen DNS name. EC keys keep generation fast.
 */
import { generate } from 'selfsigned';

export interface TestPki {
  /** The CA certificate (PEM), what a client trusts. */
  caCert: string;
  /** Server certificate signed by the CA for `localhost` and IP 127.0.0.1. */
  server: { key: string; cert: string };
}

const DAY = 86_400_000;

export async function makeTestPki(): Promise<TestPki> {
  const notBeforeDate = new Date(Date.now() - DAY);
  const notAfterDate = new Date(Date.now() + 30 * DAY);
  const ca = await generate([{ name: 'commonName', value: 'Vigil Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { caCert: ca.cert, server: { key: server.private, cert: server.cert } };
}

/** A self-signed server certificate issued to `dnsName` only (no IP SAN). */
export async function makeSelfSigned(dnsName: string): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: dnsName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: dnsName }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
