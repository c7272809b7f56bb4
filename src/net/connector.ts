import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { Logger } from 'pino';
import type { TLSSocket } from 'node:tls';
import type { EgressPolicy } from './egress.ts';
import type { TlsSessionCache } from './tls-sessions.ts';
import { HttpError } from './types.ts';

/**
 * The connect-time egress check. The name is resolved once, every address
 * returned is judged, and the socket is opened to those same addresses through a `lookup` that hands
 * them to Node; nothing resolves the name a second time, so a DNS answer that changes between a check
 * and the connect (rebinding) cannot slip through.
 */

/** Resolves a host name to all its addresses (injectable: tests map names to 127.0.0.1). */
export type ResolveFn = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const systemResolve: ResolveFn = (hostname) => dnsLookup(hostname, { all: true, order: 'verbatim' });

/** What the checks need: the policy, the resolver and where EGRESS_DENIED lines go. */
export interface EgressGuard {
  policy: EgressPolicy;
  resolve: ResolveFn;
  logger: Logger;
}

/**
 * Logs the EGRESS_DENIED warn line and returns the error to reject with. Only the host, port and
 * reason are logged: never a URL, whose path or query may be a credential.
 */
export function egressDenied(guard: EgressGuard, host: string, port: number, reason: string): HttpError {
  guard.logger.warn({ code: 'EGRESS_DENIED', host, port, reason }, 'outbound connection denied by egress policy');
  return new HttpError('egress_denied', `egress denied for ${host}:${port}: ${reason}`);
}

/**
 * A Node `lookup` (for `net.connect`, `tls.connect`, undici connect options) that resolves `hostname`
 * with the guard's resolver and fails with HttpError('egress_denied') unless every address passes.
 * Node does not call `lookup` for IP literals: check those with `policy.checkHost` first.
 */
export function checkedLookup(guard: EgressGuard, hostname: string, port: number): LookupFunction {
  return (name, options, callback) => {
    guard.resolve(name).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) {
          const err = Object.assign(new Error(`no addresses found for ${name}`), { code: 'ENOTFOUND' });
          callback(err, '', 0);
          return;
        }
        // Every address, not just the first: Node may fall back to any of them (happy eyeballs).
        for (const a of wanted) {
          const d = guard.policy.checkAddress(a.address, hostname, port);
          if (!d.allowed) {
            callback(egressDenied(guard, hostname, port, d.reason), '', 0);
            return;
          }
        }
        if (options.all) (callback as unknown as (e: null, a: typeof wanted) => void)(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

/**
 * An undici `connect` function applying the guard to every new connection. `base` holds the
 * connector options (TLS, timeout); IP-literal hosts are judged directly, names through checkedLookup.
 * With `sessions`, TLS sessions are resumed from that cache (and only within its lifetime); without,
 * connections to names resume none.
 */
export function egressConnector(guard: EgressGuard, base: buildConnector.BuildOptions, sessions?: TlsSessionCache): buildConnector.connector {
  const literal = buildConnector(base);
  return (opts, callback) => {
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    const pre = guard.policy.checkHost(opts.hostname, port);
    if (!pre.allowed) {
      callback(egressDenied(guard, opts.hostname, port, pre.reason), null);
      return;
    }
    const lookup = pre.ip !== undefined ? {} : { lookup: checkedLookup(guard, opts.hostname, port) };
    if (sessions && opts.protocol === 'https:') {
      const key = `${opts.servername ?? opts.hostname}:${port}`;
      const offered = sessions.offer(key);
      const connect = buildConnector({ ...base, ...lookup, maxCachedSessions: 0, ...(offered ? { session: offered.session } : {}) } as buildConnector.BuildOptions);
      const socket = (connect as unknown as (o: typeof opts, cb: typeof callback) => TLSSocket)(opts, callback);
      sessions.track(key, socket, offered);
      return;
    }
    if (pre.ip !== undefined) {
      literal(opts, callback);
      return;
    }
    // One connector per connection so its lookup knows the host and port being judged. This costs the
    // TLS session cache, which keep-alive pooling makes nearly irrelevant.
    buildConnector({ ...base, ...lookup } as buildConnector.BuildOptions)(opts, callback);
  };
}
