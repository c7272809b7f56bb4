/**
 * Sends through the HttpClient seam and turns the exchange into a DeliveryResult with the shared
 * classifier (classify.ts): 2xx success; 408, 429 and 5xx retried (Retry-After
 * honoured); other 4xx and 3xx permanent; network errors and timeouts retried; egress denial and a
 * request refused by the account's destination rule (ACCOUNT_DESTINATION_DENIED) permanent.
 * Never throws for remote failures, and every message is scrubbed of the caller's secrets.
 */
import type { DeliveryResult } from '../types.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../net/types.ts';
import { classifyHttpError, httpResult } from './classify.ts';
import { bodyExcerpt, scrub } from './redact.ts';
import { ACCOUNT_DESTINATION_DENIED, AccountDestinationError } from './account-destination.ts';

export type Failure = DeliveryResult & { ok: false };

/** The failure result for a non-success response; `detail` is the service's explanation, already redacted. */
export function statusFailure(res: HttpResponse, nowMs: number, detail: string): Failure {
  const r = httpResult(res, nowMs, detail);
  // httpResult succeeds for any 2xx; callers use this for answers their protocol does not accept
  // (e.g. Jira answering 200 where 201 was due), which no retry will change.
  return r.ok ? { ok: false, retry: false, code: 'UNEXPECTED_RESPONSE', message: `HTTP ${res.status}${detail ? `: ${detail}` : ''}` } : r;
}

/** Sends and returns either the response or a ready failure result (network error, timeout, egress). */
export async function send(
  http: HttpClient,
  req: HttpRequest,
  secrets: ReadonlyArray<string | undefined>,
): Promise<{ res: HttpResponse } | { failure: Failure }> {
  try {
    return { res: await http.request(req) };
  } catch (e) {
    return { failure: requestFailure(e, secrets) };
  }
}

/** The failure for what `HttpClient.request` threw (network, timeout, egress, the account's destination rule). */
export function requestFailure(e: unknown, secrets: ReadonlyArray<string | undefined>): Failure {
  if (e instanceof AccountDestinationError) return { ok: false, retry: false, code: ACCOUNT_DESTINATION_DENIED, message: scrub(e.message, secrets) };
  const f = classifyHttpError(e);
  return { ...f, message: scrub(f.message, secrets) };
}

/** A redacted one-line excerpt of a response body for messages. */
export function responseDetail(res: HttpResponse, secrets: ReadonlyArray<string | undefined>): string {
  return scrub(bodyExcerpt(res.body), secrets);
}
