import { HttpError, type HttpErrorKind } from './types.ts';

/**
 * Maps whatever undici, Node's net/tls/dns or an abort threw onto the HttpError kinds callers classify.
 * Messages are built from the redacted target and the error code only: undici and Node messages are
 * not copied, since some of them echo a host, a path or a header.
 */

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EAI_FAIL', 'EAI_NONAME']);
const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'read timeout (no response headers)',
  UND_ERR_BODY_TIMEOUT: 'read timeout (response body stalled)',
  ETIMEDOUT: 'connect timeout',
};
const INVALID_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN']);

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_OSSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT' ||
    code === 'EPROTO'
  );
}

/** Identifies why our own AbortController fired. */
export const TOTAL_TIMEOUT = Symbol('total timeout');
export const CALLER_ABORT = Symbol('caller abort');

export interface ErrorContext {
  /** `METHOD redacted-url`. */
  target: string;
  /** The reason our AbortController was aborted with, if it was. */
  abortReason?: unknown;
  totalTimeoutMs: number;
}

export function toHttpError(e: unknown, ctx: ErrorContext): HttpError {
  if (e instanceof HttpError) return e;
  const mk = (kind: HttpErrorKind, what: string, code?: string) =>
    new HttpError(kind, `${what} for ${ctx.target}${code ? ` (${code})` : ''}`, { cause: e });
  if (ctx.abortReason === TOTAL_TIMEOUT) return mk('timeout', `total timeout of ${ctx.totalTimeoutMs} ms exceeded`);
  if (ctx.abortReason === CALLER_ABORT) return mk('aborted', 'request aborted');
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : '';
  if (code in TIMEOUT_CODES) return mk('timeout', TIMEOUT_CODES[code]!, code);
  if (CONNECT_CODES.has(code)) return mk('connect', 'connection failed', code);
  if (isTlsCode(code)) return mk('tls', 'TLS handshake failed', code);
  if (INVALID_CODES.has(code)) return mk('invalid_request', 'invalid request', code);
  if (code === 'UND_ERR_ABORTED' || (e as { name?: string })?.name === 'AbortError') return mk('aborted', 'request aborted', code || undefined);
  return mk('network', 'network error', code || undefined);
}
