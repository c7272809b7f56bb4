/**
 * Turns an HTTP exchange into a DeliveryResult (SPEC §2): 2xx success; 408, 429 and 5xx retried
 * (429/503 honour Retry-After); other 4xx permanent; network errors and timeouts retried; egress denial
 * and refused redirects permanent. Never throws for remote failures.
 */
import type { DeliveryResult } from '../types.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../net/types.ts';
import { HttpError } from '../../net/types.ts';
import { bodyExcerpt, scrub } from './redact.ts';

/** Parses `Retry-After` (delta-seconds or an HTTP-date) to milliseconds from `nowMs`; undefined if absent or malformed. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Whether another attempt can help for this status. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A failure result for a non-success HTTP status; `detail` is the service's explanation (redacted by the caller). */
export function statusFailure(res: HttpResponse, nowMs: number, detail: string): DeliveryResult {
  const retry = retryableStatus(res.status);
  const retryAfterMs = retry ? parseRetryAfter(res.headers['retry-after'], nowMs) : undefined;
  const code = res.status >= 500 ? 'HTTP_5XX' : res.status === 429 ? 'HTTP_429' : res.status === 408 ? 'HTTP_408' : 'HTTP_4XX';
  return {
    ok: false,
    retry,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    code,
    message: `HTTP ${res.status}${detail ? `: ${detail}` : ''}`,
  };
}

/** A failure result for an HttpError or anything thrown by the client. */
export function errorFailure(e: unknown, secrets: ReadonlyArray<string | undefined>): DeliveryResult & { ok: false } {
  if (e instanceof HttpError) {
    const permanent = e.kind === 'egress_denied' || e.kind === 'redirect_not_followed';
    const code = e.kind === 'timeout' ? 'TIMEOUT' : e.kind === 'egress_denied' ? 'EGRESS_DENIED' : `HTTP_${e.kind.toUpperCase()}`;
    return { ok: false, retry: !permanent, code, message: scrub(e.message, secrets) };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { ok: false, retry: true, code: 'NETWORK', message: scrub(msg, secrets) };
}

/** Sends and returns either the response or a ready failure result (network error, timeout). */
export async function send(
  http: HttpClient,
  req: HttpRequest,
  secrets: ReadonlyArray<string | undefined>,
): Promise<{ res: HttpResponse } | { failure: DeliveryResult & { ok: false } }> {
  try {
    return { res: await http.request(req) };
  } catch (e) {
    return { failure: errorFailure(e, secrets) };
  }
}

/** A redacted one-line excerpt of a response body for messages. */
export function responseDetail(res: HttpResponse, secrets: ReadonlyArray<string | undefined>): string {
  return scrub(bodyExcerpt(res.body), secrets);
}
