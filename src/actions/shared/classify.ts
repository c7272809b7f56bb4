import type { DeliveryFailureCode } from '../../errors.ts';
import { redactUrl } from '../../net/redact.ts';
import { HttpError, type HttpErrorKind, type HttpResponse } from '../../net/types.ts';
import type { DeliveryResult } from '../types.ts';

/**
 * The one retry classifier for every action type: whether another attempt can help, and the stable
 * failure code the watch log and metrics show. Retried: network errors, timeouts,
 * 5xx, 408, 429 (with Retry-After) and SMTP 4yz; not retried: other 4xx, 3xx (redirects are never
 * followed), SMTP 5yz, authentication and TLS failures, egress denial. An aborted attempt (shutdown)
 * is retryable: the notification stays in the outbox for the next start.
 */
export type Failure = Extract<DeliveryResult, { ok: false }>;

export type HttpStatusCode = 'HTTP_2XX' | 'HTTP_1XX' | 'HTTP_3XX' | 'HTTP_408' | 'HTTP_429' | 'HTTP_4XX' | 'HTTP_5XX';

export interface StatusVerdict {
  /** 2xx. */
  ok: boolean;
  retry: boolean;
  /** Server-requested delay, from Retry-After, capped (see parseRetryAfter). */
  retryAfterMs?: number;
  code: HttpStatusCode;
}

/**
 * The longest Retry-After believed: as long as the longest retry deadline (`DEADLINE.maxMs` of
 * delivery/backoff.ts, which a test holds equal), so that a day-long value cannot park a notification.
 */
export const RETRY_AFTER_CAP_MS = 5 * 60_000;

/**
 * Parses `Retry-After` — delta-seconds or an HTTP-date — into a delay from `now` (ms since epoch),
 * capped at `capMs` (default RETRY_AFTER_CAP_MS). A date in the past gives 0. Undefined when absent or
 * unparsable.
 */
export function parseRetryAfter(value: string | undefined, now: number, capMs: number = RETRY_AFTER_CAP_MS): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else if (/[a-z]/i.test(v) && !Number.isNaN(Date.parse(v))) ms = Date.parse(v) - now;
  else return undefined;
  return Math.min(capMs, Math.max(0, Math.round(ms)));
}

/** Classifies a status. `headers` keys are lower-case (as HttpResponse gives them). */
export function classifyHttpStatus(status: number, headers: Record<string, string | undefined>, now: number): StatusVerdict {
  if (status >= 200 && status < 300) return { ok: true, retry: false, code: 'HTTP_2XX' };
  if (status < 200) return { ok: false, retry: false, code: 'HTTP_1XX' };
  if (status < 400) return { ok: false, retry: false, code: 'HTTP_3XX' };
  const code: HttpStatusCode = status === 408 ? 'HTTP_408' : status === 429 ? 'HTTP_429' : status < 500 ? 'HTTP_4XX' : 'HTTP_5XX';
  if (code === 'HTTP_4XX') return { ok: false, retry: false, code };
  const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
  return { ok: false, retry: true, code, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/**
 * The DeliveryResult for a response: success for 2xx (noting `response_too_large` when the body was
 * cut at the cap), else a failure. `detail` is an excerpt of the
 * service's explanation, already scrubbed by the caller. A 3xx says `redirect_not_followed` and where
 * it pointed, through redactUrl.
 */
export function httpResult(res: Pick<HttpResponse, 'status' | 'headers'> & { truncated?: boolean }, now: number, detail?: string): DeliveryResult {
  const v = classifyHttpStatus(res.status, res.headers, now);
  // A 2xx whose body was cut at the cap is still a delivery: the request got through.
  if (v.ok) return { ok: true, detail: `HTTP ${res.status}${res.truncated ? ' (response_too_large)' : ''}` };
  const location = res.headers.location;
  const why = v.code === 'HTTP_3XX' ? `redirect_not_followed${location ? ` (to ${redactLocation(location)})` : ''}` : detail;
  return {
    ok: false,
    retry: v.retry,
    ...(v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {}),
    // Not ok, so never HTTP_2XX.
    code: v.code as Exclude<HttpStatusCode, 'HTTP_2XX'>,
    message: `HTTP ${res.status}${why ? `: ${why}` : ''}`,
  };
}

/** A Location may be relative; either way only its redacted form is shown. */
function redactLocation(location: string): string {
  try {
    return redactUrl(new URL(location, 'http://relative.invalid').href);
  } catch {
    return '[invalid url]';
  }
}

const HTTP_ERROR: Record<HttpErrorKind, { retry: boolean; code: DeliveryFailureCode }> = {
  timeout: { retry: true, code: 'TIMEOUT' },
  connect: { retry: true, code: 'CONNECT_FAILED' },
  network: { retry: true, code: 'NETWORK' },
  aborted: { retry: true, code: 'ABORTED' },
  // A certificate that fails verification now will fail in 10 s too; it needs a config change.
  tls: { retry: false, code: 'TLS' },
  egress_denied: { retry: false, code: 'EGRESS_DENIED' },
  redirect_not_followed: { retry: false, code: 'HTTP_3XX' },
  invalid_request: { retry: false, code: 'INVALID_REQUEST' },
};

/** Classifies what HttpClient.request threw. Anything that is not an HttpError is a bug: not retried. */
export function classifyHttpError(e: unknown): Failure {
  if (e instanceof HttpError) {
    const c = HTTP_ERROR[e.kind] ?? { retry: true, code: 'NETWORK' };
    return { ok: false, retry: c.retry, code: c.code, message: e.message };
  }
  return { ok: false, retry: false, code: 'UNEXPECTED', message: e instanceof Error ? e.name : 'unexpected error' };
}

/** Nodemailer's error fields (the `socks` module's errors carry neither code nor responseCode). */
interface SmtpLikeError {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  command?: unknown;
  message?: unknown;
  name?: unknown;
}

const SMTP_UNREACHABLE = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE']);
const SMTP_PERMANENT: Record<string, DeliveryFailureCode> = {
  ETLS: 'SMTP_TLS', // TLS/STARTTLS failed or missing: never fall back to plaintext, never resend credentials
  EREQUIRETLS: 'SMTP_TLS',
  EAUTH: 'SMTP_AUTH', // the same credentials are refused again
  ENOAUTH: 'SMTP_AUTH',
  EOAUTH2: 'SMTP_AUTH',
  EENVELOPE: 'SMTP_ENVELOPE', // no code: rejected by nodemailer before sending (invalid address)
  EMESSAGE: 'SMTP_MESSAGE',
  ESTREAM: 'SMTP_MESSAGE',
  EMAXRECIPIENTS: 'SMTP_ENVELOPE',
  ECONFIG: 'SMTP_CONFIG',
  EFILEACCESS: 'SMTP_CONFIG',
  EURLACCESS: 'SMTP_CONFIG',
};

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/**
 * Classifies a nodemailer (or SOCKS) error, in this order:
 * 1. ETLS/EREQUIRETLS and EAUTH/ENOAUTH/EOAUTH2: not retried whatever the reply code (config problems);
 * 2. an SMTP reply code: 4yz (421, 450, 451, 452…, greylisting) retried as SMTP_4YZ, 5yz not (SMTP_5YZ);
 *    EENVELOPE on RCPT/DATA carries one, so a deferred recipient is retried and a refused one is not;
 * 3. connection failures (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, raw ECONNREFUSED…): retried;
 * 4. EPROXY / SOCKS errors: retried when the proxy is unreachable or timed out, not when it refused
 *    authentication or the configuration is wrong (SMTP_PROXY);
 * 5. other local errors (invalid address, message build, configuration): not retried;
 * 6. anything else (EPROTOCOL, EMAXLIMIT, EABORT, unknown): retried until the deadline, since
 *    at-least-once prefers a wasted attempt over a lost notification.
 * The message is nodemailer's (it quotes the server reply, never the password) on one line.
 */
export function classifySmtpError(e: unknown): Failure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SmtpLikeError;
  const code = typeof err.code === 'string' ? err.code : '';
  const original = typeof err.originalCode === 'string' ? err.originalCode : '';
  const rc = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const message = oneLine(typeof err.message === 'string' ? err.message : String(e));
  const fail = (retry: boolean, c: DeliveryFailureCode): Failure => ({ ok: false, retry, code: c, message });

  if (code === 'ETLS' || code === 'EREQUIRETLS' || code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2') {
    return fail(false, SMTP_PERMANENT[code]!);
  }
  if (rc !== undefined && rc >= 400 && rc < 500) return fail(true, 'SMTP_4YZ');
  if (rc !== undefined && rc >= 500 && rc < 600) return fail(false, 'SMTP_5YZ');
  if (SMTP_UNREACHABLE.has(code)) return fail(true, code === 'ETIMEDOUT' ? 'TIMEOUT' : 'SMTP_CONNECTION');
  const socks = err.name === 'SocksClientError' || /^socks/i.test(message);
  if (code === 'EPROXY' || socks) {
    const unreachable = SMTP_UNREACHABLE.has(original) || /timed? ?out|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|socket closed|ENOTFOUND/i.test(message);
    const auth = /auth/i.test(message);
    return fail(unreachable && !auth, unreachable && !auth ? 'SMTP_PROXY_UNREACHABLE' : 'SMTP_PROXY');
  }
  if (code in SMTP_PERMANENT) return fail(false, SMTP_PERMANENT[code]!);
  if (code === 'EABORT') return fail(true, 'ABORTED');
  return fail(true, code ? `SMTP_${code.replace(/^E/, '')}` : 'SMTP_ERROR');
}
