import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../clock.ts';
import { systemResolve, egressDenied, type EgressGuard, type ResolveFn } from './connector.ts';
import { DispatcherCache } from './dispatchers.ts';
import type { EgressPolicy } from './egress.ts';
import { CALLER_ABORT, TOTAL_TIMEOUT, toHttpError } from './error-map.ts';
import { redactUrl } from './redact.ts';
import { readBody } from './read-body.ts';
import { HttpError, type HttpClient, type HttpRequest, type HttpResponse } from './types.ts';

export { redactUrl };

/** Per-request defaults; each is overridable on the request. */
export interface HttpDefaults {
  /** TCP + TLS handshake, DNS included. Default 10 s. */
  connectTimeoutMs: number;
  /** Wait for the response headers, and the longest pause between two body chunks. Default 10 s. */
  readTimeoutMs: number;
  /** Whole exchange, from dispatch to the last body byte. Default 60 s. */
  totalTimeoutMs: number;
  /** Response body cap; beyond it the connection is destroyed and `truncated` is set. Default 1 MiB. */
  maxResponseBytes: number;
}

export const HTTP_DEFAULTS: Readonly<HttpDefaults> = Object.freeze({
  connectTimeoutMs: 10_000,
  readTimeoutMs: 10_000,
  totalTimeoutMs: 60_000,
  maxResponseBytes: 1024 * 1024,
});

export interface HttpClientOptions {
  policy: EgressPolicy;
  logger: Logger;
  defaults?: Partial<HttpDefaults>;
  /** DNS resolution (all addresses); default `dns.lookup` with `all: true`. Tests map names to 127.0.0.1. */
  resolve?: ResolveFn;
  /** Drives the total timeout. */
  clock?: Clock;
  /** Idle keep-alive time of pooled connections; default 4 s. */
  keepAliveTimeoutMs?: number;
  /** Connections per origin per TLS/proxy setting; default 16. */
  connectionsPerOrigin?: number;
  /** Distinct TLS/proxy/connect-timeout combinations kept; default 64. */
  maxDispatchers?: number;
}

/**
 * The outbound HTTP client (undici, no fetch). Guarantees: the egress policy on the resolved address
 * at connect time, no redirects followed (a 3xx is returned like any status; callers report
 * `redirect_not_followed`), connect/read/total timeouts, a streaming body cap, and error messages that
 * name the target only through redactUrl.
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const defaults: HttpDefaults = { ...HTTP_DEFAULTS, ...opts.defaults };
  const clock = opts.clock ?? systemClock;
  const guard: EgressGuard = { policy: opts.policy, resolve: opts.resolve ?? systemResolve, logger: opts.logger };
  const cache = new DispatcherCache({
    guard,
    keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 4_000,
    connections: opts.connectionsPerOrigin ?? 16,
    maxDispatchers: opts.maxDispatchers ?? 64,
    clock,
  });

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    // Only errors name the target: redacting parses the URL again, so it is not done per request.
    const target = () => `${method} ${redactUrl(req.url)}`;
    const url = parseHttpUrl(req.url, 'URL', target);
    // Stored proxies and trust stores are resolved before a request gets here (request/stored-refs.ts);
    // one that was not must not go out directly or with the system's trust instead.
    if (req.proxyId !== undefined || req.tls?.truststore_id !== undefined) {
      throw new HttpError('invalid_request', `a stored proxy or trust store was not resolved for ${target()}`);
    }
    precheck(guard, url);
    if (req.proxy) precheck(guard, parseHttpUrl(req.proxy, 'proxy URL', target));

    const totalTimeoutMs = req.totalTimeoutMs ?? defaults.totalTimeoutMs;
    const readTimeoutMs = req.readTimeoutMs ?? defaults.readTimeoutMs;
    const cap = req.maxResponseBytes ?? defaults.maxResponseBytes;

    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(CALLER_ABORT);
    if (req.signal?.aborted) throw new HttpError('aborted', `request aborted for ${target()}`);
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = clock.setTimeout(() => controller.abort(TOTAL_TIMEOUT), totalTimeoutMs);
    try {
      const dispatcher = cache.get({ tls: req.tls, connectTimeoutMs: req.connectTimeoutMs ?? defaults.connectTimeoutMs, proxy: req.proxy });
      const res = await untilAborted(
        dispatcher.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method as 'GET',
          headers: withUserinfoAuth(url, req.headers),
          body: req.body,
          headersTimeout: readTimeoutMs,
          bodyTimeout: readTimeoutMs,
          signal: controller.signal,
        }),
        controller.signal,
      );
      const { text: body, truncated } = await readBody(res.body, cap);
      // undici marks a connection that was busy at dispatch as reusable only on a later turn of the
      // event loop; without this yield a caller's next request to the origin opens a second socket.
      await new Promise((r) => setImmediate(r));
      return { status: res.statusCode, headers: flattenHeaders(res.headers), body, truncated };
    } catch (e) {
      throw toHttpError(e, { target: target(), abortReason: controller.signal.reason, totalTimeoutMs });
    } finally {
      clock.clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return { request, close: () => cache.close() };
}

/**
 * undici acts on an abort only once the request has a connection: one still waiting for it (a proxy
 * that accepts and never answers the CONNECT, a host that never completes the handshake) would keep
 * its caller until the connect attempt fails. The caller gets the abort at once; the request is left
 * to undici, which drops it when the attempt ends (bounded by the connect timeout, or torn down by
 * `close()`).
 */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(Object.assign(new Error('request aborted'), { name: 'AbortError' }));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function parseHttpUrl(raw: string, what: string, target: () => string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpError('invalid_request', `invalid ${what} for ${target()}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpError('invalid_request', `unsupported ${what} scheme ${url.protocol} for ${target()}`);
  }
  return url;
}

/** Early, DNS-free refusal of literal IPs and local names; the connect-time check still runs. */
function precheck(guard: EgressGuard, url: URL): void {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const d = guard.policy.checkHost(url.hostname, port);
  if (!d.allowed) throw egressDenied(guard, url.hostname, port, d.reason);
}

/** `https://user:pass@host/` sends Basic auth (as curl does) unless the caller set Authorization. */
function withUserinfoAuth(url: URL, headers: Record<string, string> | undefined): Record<string, string> {
  const out = { ...headers };
  if ((url.username || url.password) && !Object.keys(out).some((k) => k.toLowerCase() === 'authorization')) {
    const creds = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    out.authorization = `Basic ${Buffer.from(creds).toString('base64')}`;
  }
  return out;
}

function flattenHeaders(h: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
