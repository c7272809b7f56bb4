/**
 * The API's TLS certificate as `ssl/certs` shows it, and the checks before a reload: the new key must
 * belong to the new certificate, and the certificate must be valid now.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface CertificateInfo {
  issuer_dn: string;
  subject_dn: string;
  san: string;
  not_before: string;
  not_after: string;
}

/** `CN=…,O=…` (most specific first, as OpenSearch shows DNs) from Node's one-attribute-per-line form. */
const dn = (lines: string) => lines.split('\n').filter(Boolean).reverse().join(',');

export function certificateInfo(pem: string | Buffer): CertificateInfo {
  const c = new X509Certificate(pem);
  return {
    issuer_dn: dn(c.issuer),
    subject_dn: dn(c.subject),
    san: c.subjectAltName ?? '',
    not_before: new Date(c.validFrom).toISOString(),
    not_after: new Date(c.validTo).toISOString(),
  };
}

/**
 * Reads a certificate and key pair and checks it: the key is the certificate's, the certificate is
 * valid at `now`. Returns the pair, or why it cannot be used (nothing of the key is in the reason).
 */
export async function loadPair(files: { cert_file: string; key_file: string }, now: number): Promise<{ ok: true; cert: Buffer; key: Buffer } | { ok: false; reason: string }> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(files.cert_file), readFile(files.key_file)]);
  } catch (e) {
    return { ok: false, reason: `the certificate or key file cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch {
    return { ok: false, reason: 'the certificate file does not hold a PEM certificate' };
  }
  try {
    if (!x.checkPrivateKey(createPrivateKey(key))) return { ok: false, reason: 'the private key does not belong to the certificate' };
  } catch {
    return { ok: false, reason: 'the key file does not hold a private key' };
  }
  if (Date.parse(x.validFrom) > now || Date.parse(x.validTo) <= now) return { ok: false, reason: 'the certificate is not valid now' };
  return { ok: true, cert, key };
}
