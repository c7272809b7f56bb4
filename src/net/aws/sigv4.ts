/**
 * AWS Signature Version 4 for one HTTP request, with the maintained signer of the AWS SDKs
 * (`@smithy/signature-v4`), not a hand-written one: canonical requests are easy to get subtly wrong
 * (double-encoded paths, repeated headers, empty query values), and a subtly wrong signature fails only
 * for some values.
 *
 * The payload hash is computed here with node:crypto and sent as `x-amz-content-sha256`, which the
 * signer then uses as is: the signer's own hash is pure JavaScript, which a multi-megabyte raw e-mail
 * would make slow. The header is signed like the others.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '../types.ts';

/** Long-term keys, or temporary ones with their session token. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface SignOptions {
  /** The signing name of the service: `sns`, `sts`, `ses`. */
  service: string;
  region: string;
  credentials: AwsCredentials;
  /** The signing time, epoch ms (the injected clock's `now()`). */
  now: number;
}

/**
 * Returns `req` with the SigV4 headers added (`authorization`, `x-amz-date`, `x-amz-content-sha256`,
 * `x-amz-security-token` for temporary keys, `host`). The URL's path and query are signed as sent.
 */
export async function signRequest(req: HttpRequest, o: SignOptions): Promise<HttpRequest> {
  const url = new URL(req.url);
  const body = req.body ?? '';
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  const headers: Record<string, string> = { ...req.headers, host: url.host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') };
  const signer = new SignatureV4({
    service: o.service,
    region: o.region,
    credentials: { accessKeyId: o.credentials.accessKeyId, secretAccessKey: o.credentials.secretAccessKey, ...(o.credentials.sessionToken ? { sessionToken: o.credentials.sessionToken } : {}) },
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      // The path as it goes on the wire: the signer encodes it once more, as SigV4 requires of every
      // service but S3.
      path: url.pathname,
      query,
      headers,
      body,
    },
    { signingDate: new Date(o.now) },
  );
  return { ...req, headers: signed.headers as Record<string, string> };
}
