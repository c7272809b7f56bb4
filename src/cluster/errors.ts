/**
 * Turning SDK and network failures into ClusterError: status, the cluster's error type and reason,
 * whether a retry can help, and never a credential. The SDKs sometimes echo node URLs (which may carry
 * `user:password@`) and request headers in their messages, so every message is rebuilt here from the
 * parts we trust and then scrubbed.
 */
import { ClusterError } from './types.ts';
import { scrubSecrets } from '../secrets.ts';

/** Removes `user:pass@` from URLs and any of the given secret strings from a text. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
  out = out.replace(/(authorization["']?\s*[:=]\s*["']?)(basic|apikey|bearer)\s+[A-Za-z0-9+/=._-]+/gi, '$1$2 [redacted]');
  return scrubSecrets(out, secrets, 3);
}

/** Network errors, timeouts, 429 and 5xx can succeed on a later attempt; other statuses will not. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500;
}

const NETWORK_ERRORS = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError']);

/** The error object in an Elasticsearch/OpenSearch error body, if there is one. */
function errorParts(body: unknown): { type?: string; reason?: string } {
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return { reason: text.slice(0, 500) };
    }
  }
  const err = (body as { error?: unknown } | undefined)?.error;
  if (typeof err === 'string') return { reason: err };
  if (err && typeof err === 'object') {
    const e = err as { type?: string; reason?: string; root_cause?: Array<{ type?: string; reason?: string }>; caused_by?: { type?: string; reason?: string } };
    // search_phase_execution_exception says "all shards failed"; the root cause says why.
    const root = e.type === 'search_phase_execution_exception' ? (e.root_cause?.[0] ?? e.caused_by) : undefined;
    return { type: root?.type ?? e.type, reason: root?.reason ?? e.reason };
  }
  return {};
}

export interface ErrorContext {
  cluster: string;
  /** Credential strings to scrub from anything that reaches the message. */
  secrets: readonly string[];
}

export function clusterErrorFromResponse(ctx: ErrorContext, status: number, body: unknown, cause?: unknown): ClusterError {
  const { type, reason } = errorParts(body);
  const text = `cluster [${ctx.cluster}] answered ${status}${type ? ` ${type}` : ''}${reason ? `: ${reason}` : ''}`;
  return new ClusterError(redact(text, ctx.secrets), { status, type, retryable: isRetryableStatus(status), cause: scrubCause(cause, ctx.secrets) });
}

export function responseTooLarge(ctx: ErrorContext, limit: number): ClusterError {
  return new ClusterError(`cluster [${ctx.cluster}] response exceeds the limit of ${limit} bytes`, { type: 'input_too_large', retryable: false });
}

/** Maps anything an SDK (Elasticsearch 8/9 or OpenSearch) or undici throws. */
export function toClusterError(ctx: ErrorContext, e: unknown, limit?: number): ClusterError {
  if (e instanceof ClusterError) return e;
  const err = e as { name?: string; message?: string; meta?: { statusCode?: number; body?: unknown }; code?: string };
  const name = err?.name ?? 'Error';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (name === 'ResponseError' && typeof err.meta?.statusCode === 'number') {
    return clusterErrorFromResponse(ctx, err.meta.statusCode, err.meta.body, e);
  }
  if (name === 'RequestAbortedError' && /bigger than the maximum allowed/.test(message)) {
    return responseTooLarge(ctx, limit ?? 0);
  }
  if (name === 'RequestAbortedError' || name === 'AbortError') {
    return new ClusterError(`cluster [${ctx.cluster}] request aborted`, { type: 'aborted', retryable: false });
  }
  if (name === 'ProductNotSupportedError') {
    return new ClusterError(`cluster [${ctx.cluster}] is not a supported Elasticsearch: the server did not send x-elastic-product`, { type: 'product_not_supported', retryable: false });
  }
  if (name === 'TimeoutError' || /timeout/i.test(err?.code ?? '')) {
    return new ClusterError(`cluster [${ctx.cluster}] request timed out`, { type: 'timeout', retryable: true });
  }
  if (NETWORK_ERRORS.has(name) || (typeof err?.code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(err.code))) {
    const detail = redact(message, ctx.secrets).slice(0, 300);
    return new ClusterError(`cluster [${ctx.cluster}] unreachable: ${detail}`, { type: 'connection_error', retryable: true });
  }
  if (name === 'DeserializationError') {
    return new ClusterError(`cluster [${ctx.cluster}] sent a response that is not valid JSON`, { type: 'deserialization_error', retryable: true });
  }
  return new ClusterError(redact(`cluster [${ctx.cluster}] request failed: ${message}`, ctx.secrets).slice(0, 500), { type: name, retryable: false });
}

/**
 * The SDK error keeps the request (with headers) in `meta`; a logger serialising `cause` would print the
 * Authorization header. Keep only a scrubbed name and message as the cause.
 */
function scrubCause(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error)) return undefined;
  return { name: cause.name, message: redact(cause.message, secrets) };
}
