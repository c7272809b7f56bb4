/**
 * An independent AWS Signature Version 4 verifier, written from the AWS specification ("Create a signed
 * AWS API request": canonical request, string to sign, signing key, the `Authorization` header form) so
 * that the stand-ins check a client's signer instead of repeating it. It shares no code with the signer
 * the product uses; the tests prove it against AWS's published test-suite signatures and against
 * requests signed by `@smithy/signature-v4`.
 *
 * What it checks, in the order AWS reports problems: the header is present and well formed; the date
 * header exists and is signed with `host`; the access key is known; the credential scope names the
 * request's date, the service's region and the service; the date is within the allowed skew of the
 * stand-in's clock; a temporary key comes with its session token and has not expired; a sent
 * `x-amz-content-sha256` is the hash of the body; and the signature matches. The outcome is a
 * service-neutral {@link SigV4Problem}; each service maps it to its own error code and body.
 *
 * Not modelled: presigned URLs (query-string auth), chunked (streaming) payload signing, SigV4a.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The parts of a received request a signature covers. */
export interface SigV4Request {
  method: string;
  /** Path exactly as on the request line (percent-encoded by the client). */
  path: string;
  /** Query string without `?`, exactly as on the request line. */
  query: string;
  /** Header lines as received: name, value, name, value… */
  rawHeaders: string[];
  /** The body bytes as received. */
  raw: Buffer;
}

/** A key the stand-in knows. Temporary keys carry their session token and expiry. */
export interface SigV4Key {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms after which a temporary key is refused with `token-expired`. */
  expiresAt?: number;
}

export type SigV4Problem =
  /** No `Authorization` header. */
  | 'missing-auth'
  /** The header or the date header is malformed or incomplete. */
  | 'incomplete'
  /** The access key id is not known. */
  | 'unknown-key'
  /** The credential scope names another date, region or service. */
  | 'scope'
  /** `X-Amz-Date` is more than the allowed skew from the stand-in's clock. */
  | 'date-skew'
  /** A temporary key without its session token, with another token, or a long-term key with one. */
  | 'token-invalid'
  /** The temporary key's session has expired. */
  | 'token-expired'
  /** `x-amz-content-sha256` is not the hash of the body (or is required and missing). */
  | 'content-sha256'
  /** The signature does not match. */
  | 'signature';

export type SigV4Result =
  | { ok: true; key: SigV4Key; signedHeaders: string[]; canonicalRequest: string; stringToSign: string }
  | { ok: false; problem: SigV4Problem; message: string };

export interface SigV4VerifyOptions {
  /** Signing name of the service (`sns`, `ses`, `sts`). */
  service: string;
  /** The region this endpoint serves. */
  region: string;
  /** The stand-in's current time, epoch ms. */
  now: number;
  lookup: (accessKeyId: string) => SigV4Key | undefined;
  /** Services that demand `x-amz-content-sha256` (S3); the others check it only when sent. */
  requireContentSha256?: boolean;
  /** Allowed distance between `X-Amz-Date` and `now` (default 15 minutes, as AWS). */
  maxSkewMs?: number;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const fail = (problem: SigV4Problem, message: string): SigV4Result => ({ ok: false, problem, message });

/** Verifies the `Authorization` header of `req`. */
export function verifySigV4(req: SigV4Request, opts: SigV4VerifyOptions): SigV4Result {
  const headers = canonicalHeaderMap(req.rawHeaders);
  const auth = headers.get('authorization');
  if (auth === undefined) return fail('missing-auth', 'Request is missing Authentication Token');
  const parsed = parseAuthorization(auth);
  if ('error' in parsed) return fail('incomplete', parsed.error);

  const amzDate = headers.get('x-amz-date');
  if (amzDate === undefined) return fail('incomplete', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const at = parseAmzDate(amzDate);
  if (at === undefined) return fail('incomplete', `Invalid X-Amz-Date '${amzDate}': the format is YYYYMMDD'T'HHMMSS'Z'.`);
  if (!parsed.signedHeaders.includes('host')) return fail('incomplete', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (!parsed.signedHeaders.includes('x-amz-date')) return fail('incomplete', "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  for (const h of parsed.signedHeaders) if (!headers.has(h)) return fail('incomplete', `Signed header '${h}' is not present in the request.`);

  const key = opts.lookup(parsed.accessKeyId);
  if (!key) return fail('unknown-key', 'The security token included in the request is invalid.');

  if (parsed.date !== amzDate.slice(0, 8)) {
    return fail('scope', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }
  if (parsed.region !== opts.region) return fail('scope', `Credential should be scoped to a valid region, not '${parsed.region}'. `);
  if (parsed.service !== opts.service) return fail('scope', `Credential should be scoped to correct service: '${opts.service}'. `);

  const skew = opts.maxSkewMs ?? 15 * 60_000;
  const minutes = Math.round(skew / 60_000);
  if (at < opts.now - skew) {
    return fail('date-skew', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(opts.now - skew)} (${formatAmzDate(opts.now)} - ${minutes} min.)`);
  }
  if (at > opts.now + skew) {
    return fail('date-skew', `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(opts.now + skew)} (${formatAmzDate(opts.now)} + ${minutes} min.)`);
  }

  const token = headers.get('x-amz-security-token');
  if (key.sessionToken === undefined ? token !== undefined : token !== key.sessionToken) {
    return fail('token-invalid', 'The security token included in the request is invalid.');
  }
  if (key.expiresAt !== undefined && opts.now >= key.expiresAt) return fail('token-expired', 'The security token included in the request is expired');

  const bodyHash = sha256Hex(req.raw);
  const sentHash = headers.get('x-amz-content-sha256');
  if (sentHash === undefined && opts.requireContentSha256) return fail('content-sha256', 'Missing required header for this request: x-amz-content-sha256');
  if (sentHash !== undefined && sentHash !== bodyHash) {
    return fail('content-sha256', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const creq = canonicalRequest(req.method, req.path, req.query, headers, parsed.signedHeaders, bodyHash);
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`;
  const sts = stringToSign(amzDate, scope, creq);
  const expected = hmac(signingKey(key.secretAccessKey, parsed.date, parsed.region, parsed.service), sts).toString('hex');
  if (!hexEqual(expected, parsed.signature)) return fail('signature', SIGNATURE_MISMATCH);
  return { ok: true, key, signedHeaders: parsed.signedHeaders, canonicalRequest: creq, stringToSign: sts };
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=…/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(value: string): ParsedAuthorization | { error: string } {
  const sp = value.indexOf(' ');
  const algorithm = sp < 0 ? value : value.slice(0, sp);
  if (algorithm !== ALGORITHM) return { error: `Unsupported AWS 'algorithm': '${algorithm}'` };
  const fields = new Map<string, string>();
  for (const part of value.slice(sp + 1).split(',')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq <= 0) return { error: `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${algorithm}` };
    fields.set(p.slice(0, eq), p.slice(eq + 1));
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((k) => !fields.get(k));
  if (missing.length) return { error: missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ') };
  const cred = fields.get('Credential')!.split('/');
  if (cred.length !== 5 || cred[4] !== 'aws4_request' || cred.some((c) => c === '')) {
    return { error: `Credential should be scoped to a valid region. Credential should be scoped with a valid terminator: 'aws4_request', not '${cred.at(-1)}'. ` };
  }
  const signedHeaders = fields.get('SignedHeaders')!.split(';');
  const signature = fields.get('Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) return { error: 'Signature must be 64 lower-case hex digits.' };
  return { accessKeyId: cred[0]!, date: cred[1]!, region: cred[2]!, service: cred[3]!, signedHeaders, signature };
}

/**
 * Header values by lower-case name: each value trimmed with inner runs of spaces collapsed, repeated
 * headers joined with `,` in the order received (the canonical form, not Node's `, ` join).
 */
export function canonicalHeaderMap(rawHeaders: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const v = rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ');
    const prev = out.get(name);
    out.set(name, prev === undefined ? v : `${prev},${v}`);
  }
  return out;
}

/** The canonical request: method, URI, query, headers, signed-header list, payload hash. */
export function canonicalRequest(method: string, path: string, query: string, headers: Map<string, string>, signed: string[], payloadHash: string): string {
  const names = [...signed].sort();
  return [method, canonicalUri(path), canonicalQuery(query), ...names.map((n) => `${n}:${headers.get(n) ?? ''}`), '', names.join(';'), payloadHash].join('\n');
}

/**
 * The canonical URI of a non-S3 service: the path as sent, with `.`/`..` segments resolved and empty
 * segments dropped, each segment URI-encoded once more (the client encoded it once for the wire).
 */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  if (segments.length === 0) return '/';
  return `/${segments.map(uriEncode).join('/')}${path.endsWith('/') ? '/' : ''}`;
}

/** The canonical query: pairs decoded, re-encoded strictly, sorted by name then value. */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      const v = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(percentDecode(k)), uriEncode(percentDecode(v))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(Buffer.from(canonical, 'utf8'))].join('\n');
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(Buffer.from(`AWS4${secret}`, 'utf8'), date);
  return hmac(hmac(hmac(kDate, region), service), 'aws4_request');
}

/** RFC 3986 encoding of every byte but the unreserved characters (A–Z a–z 0–9 - _ . ~). */
export function uriEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or undefined when malformed. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  return new Date(t).getUTCDate() === d ? t : undefined;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function hexEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
