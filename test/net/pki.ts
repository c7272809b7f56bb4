/**
 * Certificates generated at test time (never committed): a CA and leaf certificates it signs, for
 * server names/IPs or for client authentication. EC keys keep generation fast.
 */
import { generate } from 'selfsigned';

const DAY = 86_400_000;
type Pem = { key: string; cert: string };

export async function makeCa(name = 'Vigil Net Test CA'): Promise<Pem> {
  const ca = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: ca.private, cert: ca.cert };
}

/** A leaf signed by `ca`: a server certificate for `dns`/`ips`, or a client certificate. */
export async function makeLeaf(ca: Pem, opts: { cn: string; dns?: string[]; ips?: string[]; client?: boolean }): Promise<Pem> {
  const altNames = [...(opts.dns ?? []).map((value) => ({ type: 2 as const, value })), ...(opts.ips ?? []).map((ip) => ({ type: 7 as const, ip }))];
  const leaf = await generate([{ name: 'commonName', value: opts.cn }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 30 * DAY),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: !opts.client, clientAuth: !!opts.client },
      ...(altNames.length ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  return { key: leaf.private, cert: leaf.cert };
}
