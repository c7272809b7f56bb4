/**
 * Signals' stored trust stores (`/_signals/truststores`): named sets of certificates that a watch's
 * `tls.truststore_id` trusts instead of the system's roots. A document is `{name, pem}`; the PEM is
 * parsed at PUT (node:crypto X509Certificate), so a store that cannot be used is refused then, not at
 * the first request. Certificates are public: nothing here is sealed.
 */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { VigilError } from '../errors.ts';
import { STORED_ID } from '../request/schema.ts';
import type { DocSpec, KindDocs } from './sealed-docs.ts';
import { StoredKindRegistry } from './stored-kind.ts';
import type { Doc } from './store.ts';

/** The directory of trust stores in the accounts store (no account type can start with `_`). */
export const TRUSTSTORES_KIND = '_truststores';

/** Certificates one trust store may hold: each one is tried in every handshake that uses it. */
const MAX_CERTIFICATES = 100;

/** One certificate as GET shows it (Signals' fields). */
export interface CertificateInfo {
  pem: string;
  subject: string;
  issuer: string;
  not_before: string;
  not_after: string;
  serial_number: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * The certificates of a PEM text, or why it is not a trust store. Messages name the block by its
 * position and type, never its content: a private key pasted by mistake must not be echoed back.
 */
export function parseCertificates(pem: string): { ok: true; certs: X509Certificate[] } | { ok: false; message: string } {
  const certs: X509Certificate[] = [];
  let n = 0;
  for (const m of pem.matchAll(PEM_BLOCK)) {
    n++;
    const label = m[1]!;
    if (label.includes('PRIVATE KEY')) return { ok: false, message: `block ${n} is a private key (${label}): a trust store holds certificates only; do not send private keys` };
    if (label !== 'CERTIFICATE') return { ok: false, message: `block ${n} is a ${label}, not a CERTIFICATE` };
    try {
      certs.push(new X509Certificate(m[0]));
    } catch {
      return { ok: false, message: `certificate ${n} cannot be parsed as an X.509 certificate` };
    }
  }
  if (certs.length === 0) return { ok: false, message: 'no PEM certificate found (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)' };
  if (certs.length > MAX_CERTIFICATES) return { ok: false, message: `at most ${MAX_CERTIFICATES} certificates` };
  return { ok: true, certs };
}

const pemField = z.string().superRefine((pem, ctx) => {
  const res = parseCertificates(pem);
  if (!res.ok) ctx.addIssue({ code: 'custom', message: res.message });
});

/** A trust store as stored (and as PUT takes it). */
const truststoreSchema = z.strictObject({ name: z.string().max(256).optional(), pem: pemField });

export const truststoreSpec: DocSpec = {
  label: 'Trust store',
  schema: truststoreSchema,
  patterns: [],
  notFound: (_type, id) => new VigilError('NOT_FOUND', `trust store ${id} not found`),
};

/** Signals' distinguished-name form: most specific first, comma-separated (`CN=…,OU=…,O=…`). */
function dn(nodeDn: string): string {
  return nodeDn.split('\n').filter(Boolean).reverse().join(',');
}

export function certificateInfo(c: X509Certificate): CertificateInfo {
  return {
    pem: c.toString().trim(),
    subject: dn(c.subject),
    issuer: dn(c.issuer),
    not_before: new Date(c.validFrom).toISOString(),
    not_after: new Date(c.validTo).toISOString(),
    serial_number: BigInt(`0x${c.serialNumber}`).toString(10),
  };
}

/** A trust store's id: a stored-reference id (it is named in `tls.truststore_id`). */
export function truststoreIdProblem(id: string): string | undefined {
  return STORED_ID.test(id) ? undefined : 'a trust store id has letters, digits, _ - . : (not first), at most 128 characters';
}

/** A trust store as the REST API shows it (Signals' fields). */
export interface PublicTruststore {
  id: string;
  name?: string;
  raw_pem: string;
  certificates: CertificateInfo[];
  updated_at: string | null;
}

function toPublic(id: string, stored: Doc): PublicTruststore {
  const pem = typeof stored.pem === 'string' ? stored.pem : '';
  const parsed = parseCertificates(pem);
  return {
    id,
    ...(typeof stored.name === 'string' ? { name: stored.name } : {}),
    raw_pem: pem,
    certificates: parsed.ok ? parsed.certs.map(certificateInfo) : [],
    updated_at: typeof stored._updated_at === 'string' ? stored._updated_at : null,
  };
}

/** The stored trust stores: REST API operations, and the certificates a request trusts (cached until a write). */
export class TruststoreRegistry extends StoredKindRegistry<PublicTruststore, string> {
  constructor(docs: KindDocs) {
    super(docs, { assertId: assertTruststoreId, toPublic });
  }

  /** The certificates to trust, as one PEM bundle of the parsed certificates. Throws NOT_FOUND. */
  pem(id: string): Promise<string> {
    return this.resolved(id, (opened) => {
      const { pem } = opened as { pem: string };
      const parsed = parseCertificates(pem);
      if (!parsed.ok) throw new VigilError('CONFIG_INVALID', `stored trust store ${id} no longer parses: ${parsed.message}`);
      return parsed.certs.map((c) => c.toString()).join('\n');
    });
  }
}

/** Throws INVALID_ID for an id no trust store can have. */
export function assertTruststoreId(id: string): void {
  const problem = truststoreIdProblem(id);
  if (problem) throw new VigilError('INVALID_ID', `invalid trust store id: ${problem}`);
}
