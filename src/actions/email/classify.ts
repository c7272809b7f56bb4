/**
 * SMTP failure classification (SPEC §2): whether another attempt can help.
 *
 * Kept local to the email action because `src/delivery/classify.ts` did not exist when this was written;
 * move it there (and import it from here) once the delivery module has a shared classifier.
 *
 * Rules (RFC 5321 §4.2.1 and REFERENCE scenario 2):
 * - 4yz replies (421 service closing, 450/451/452 try later) → retry;
 * - 5yz replies → permanent, except 503 (bad sequence: a session-state problem, a new connection helps);
 * - connection-level failures (refused, reset, DNS, timeouts, a proxy that cannot be reached) → retry;
 * - authentication failures (EAUTH/ENOAUTH), TLS failures (ETLS: certificate refused, STARTTLS required but
 *   not offered) and a proxy that refuses our credentials → permanent until the account changes.
 */
import type { DeliveryResult } from '../types.ts';

/** The subset of a nodemailer / socks / Node error this module reads. */
interface SmtpLikeError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

const RETRYABLE_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EENVELOPE', 'EMESSAGE']);

/** Failure of the email action, as a DeliveryResult (never ok). `message` must already be redacted. */
export type EmailFailure = Extract<DeliveryResult, { ok: false }>;

/**
 * Classifies an error thrown by nodemailer (or by the SOCKS client under it). The message is built from
 * the SMTP reply and the error code only; callers must still pass it through the secret scrubber, because
 * a server may echo what it was sent.
 */
export function classifySmtpError(err: unknown): EmailFailure {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SmtpLikeError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = describe(e, code, responseCode);

  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    if (responseCode < 500) return { ok: false, retry: true, code: 'SMTP_4YZ', message };
    if (code === 'EAUTH') return { ok: false, retry: false, code: 'SMTP_AUTH', message };
    if (responseCode === 503) return { ok: false, retry: true, code: 'SMTP_5YZ', message };
    return { ok: false, retry: false, code: 'SMTP_5YZ', message };
  }
  if (code === 'EAUTH' || code === 'ENOAUTH') return { ok: false, retry: false, code: 'SMTP_AUTH', message };
  if (code === 'ETLS' || code === 'EREQUIRETLS' || isTlsVerifyError(code, e)) {
    return { ok: false, retry: false, code: 'SMTP_TLS', message };
  }
  if (isProxyError(e)) {
    // A SOCKS server that refuses our credentials keeps refusing them; one we cannot reach may come back.
    const authFailed = /auth/i.test(String(e.message ?? ''));
    return { ok: false, retry: !authFailed, code: 'SMTP_PROXY', message };
  }
  if (code === 'ETIMEDOUT') return { ok: false, retry: true, code: 'TIMEOUT', message };
  if (code === 'EABORT' || (e as { name?: unknown }).name === 'AbortError') {
    return { ok: false, retry: true, code: 'ABORTED', message };
  }
  if (code !== undefined && RETRYABLE_CODES.has(code)) return { ok: false, retry: true, code: 'SMTP_CONNECTION', message };
  if (code !== undefined && PERMANENT_CODES.has(code)) return { ok: false, retry: false, code: 'SMTP_REJECTED', message };
  // Unknown failures are treated as transient: at-least-once prefers a retry over a silent drop.
  return { ok: false, retry: true, code: 'SMTP_ERROR', message };
}

function describe(e: SmtpLikeError, code: string | undefined, responseCode: number | undefined): string {
  const parts: string[] = [];
  if (typeof e.command === 'string' && e.command !== '') parts.push(`${e.command.split(' ')[0]}:`);
  if (typeof e.response === 'string' && e.response !== '') {
    parts.push(e.response.trim());
  } else if (typeof e.message === 'string') {
    parts.push(e.message);
  }
  if (code !== undefined) parts.push(`(${code})`);
  else if (responseCode !== undefined) parts.push(`(${responseCode})`);
  // Servers can answer with long multi-line replies; keep the watch log readable.
  return parts.join(' ').replace(/\s+/g, ' ').slice(0, 500);
}

function isTlsVerifyError(code: string | undefined, e: SmtpLikeError): boolean {
  if (code === undefined) return false;
  return (
    code.startsWith('ERR_TLS') ||
    code.includes('CERT') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    (code === 'ESOCKET' && /certificate|self[- ]signed/i.test(String(e.message ?? '')))
  );
}

function isProxyError(e: SmtpLikeError): boolean {
  if (e.code === 'EPROXY') return true;
  // The socks package throws plain Errors whose messages start with "Socks5 ..." or "Proxy connection ...".
  return typeof e.message === 'string' && /^(socks|proxy connection)/i.test(e.message);
}
