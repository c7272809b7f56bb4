/**
 * A test client for the AWS stand-ins: signs a request with the maintained signer the product uses
 * (`@smithy/signature-v4` with `@aws-crypto/sha256-js`) and sends it with undici, so the stand-ins are
 * exercised by real signed HTTP requests. `tamper` changes the request after signing, the way a buggy
 * client or a proxy would.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'undici';

export interface AwsTestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedCall {
  /** The stand-in's base URL (`http://127.0.0.1:port`). */
  url: string;
  method?: string;
  /** Wire path, already percent-encoded (default `/`). */
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  service: string;
  region: string;
  credentials: AwsTestCredentials;
  /** Signing time (default now). */
  date?: Date;
  /** Edits the signed request before it is sent. */
  tamper?: (r: { path: string; headers: Record<string, string>; body: string | Buffer }) => void;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** RFC 3986 encoding, as the AWS SDKs encode query and form values. */
export const awsEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A Query-protocol form body from ordered parameters. */
export function formBody(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${awsEncode(k)}=${awsEncode(v)}`)
    .join('&');
}

export async function signedCall(c: SignedCall): Promise<CallResult> {
  const u = new URL(c.url);
  const body = c.body ?? '';
  const signer = new SignatureV4({ service: c.service, region: c.region, credentials: c.credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: c.method ?? 'POST',
      protocol: u.protocol,
      hostname: u.hostname,
      port: Number(u.port),
      path: c.path ?? '/',
      query: c.query ?? {},
      headers: { host: u.host, ...c.headers },
      body,
    },
    { signingDate: c.date ?? new Date() },
  );
  const out = { path: signed.path, headers: { ...(signed.headers as Record<string, string>) }, body };
  c.tamper?.(out);
  const qs = Object.entries(c.query ?? {})
    .map(([k, v]) => `${awsEncode(k)}=${awsEncode(v)}`)
    .join('&');
  const res = await request(`${u.origin}${out.path}${qs ? `?${qs}` : ''}`, {
    method: (c.method ?? 'POST') as 'POST',
    headers: out.headers,
    body: out.body === '' ? undefined : out.body,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
  return { status: res.statusCode, headers, body: await res.body.text() };
}
