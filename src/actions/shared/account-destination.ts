/**
 * An account decides where its secrets may go, not the watch that uses it. A request made with an
 * account attached may go only to an origin (scheme, host, port) of the account's own URLs, only
 * through the proxy the account configures (or none), and with certificate checks no weaker than the
 * account's own: otherwise a watch author could point an administrator's account at a server of their
 * choosing (or at a proxy that reads plain-HTTP headers, or through a TLS setting that lets a man in
 * the middle in) and collect its secret headers and credentials.
 *
 * The rule is checked twice: at load, on the action's literal fields (`checkAccount` of the type), and
 * at send time on the final request, by the HTTP client every delivery and account test gets
 * (`accountHttp`), so a templated or changed value cannot slip past the first check.
 */
import { HttpError, type HttpClient, type HttpRequest } from '../../net/types.ts';
import type { AccountDestination, TrustOptions } from '../types.ts';

export type { AccountDestination, TrustOptions } from '../types.ts';

export type TlsOptions = NonNullable<HttpRequest['tls']>;

/** The stable failure code of a delivery refused by this rule (never retried). */
export const ACCOUNT_DESTINATION_DENIED = 'ACCOUNT_DESTINATION_DENIED';

/** The origin of an http(s) URL, or undefined for anything else. */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The destination of an account whose secrets go to one URL (and optionally through its proxy and TLS). */
export function urlDestination(url: string | undefined, extra: { proxy?: string | undefined; tls?: TrustOptions | undefined } = {}): AccountDestination {
  const origin = url === undefined ? undefined : originOf(url);
  return { origins: origin ? [origin] : [], proxy: extra.proxy, tls: extra.tls };
}

/** The fields of a request that the rule looks at; `url` may be left out (load-time checks of params). */
export interface RequestTarget {
  url?: string | undefined;
  proxy?: string | undefined;
  /** A stored proxy, by id (an account names its proxy itself, so a stored one is never the account's). */
  proxyId?: string | undefined;
  tls?: TlsOptions | undefined;
}

/** A request definition's parsed `proxy` as RequestTarget fields. */
export function proxyTarget(proxy: string | { id: string } | undefined): Pick<RequestTarget, 'proxy' | 'proxyId'> {
  if (proxy === undefined) return {};
  return typeof proxy === 'string' ? { proxy } : { proxyId: proxy.id };
}

/**
 * What is wrong with sending the account's secrets with this request, as `[field, message]` pairs
 * (`url`, `proxy`, `tls.trust_all`, `tls.verify_hostnames`, `tls.trusted_certs`, `tls.truststore_id`).
 * Messages name the request's own origin at most: never a URL path or query, a proxy URL or a certificate.
 */
export function destinationProblems(req: RequestTarget, dest: AccountDestination): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (req.url !== undefined) {
    const origin = originOf(req.url);
    if (dest.origins.length === 0) out.push(['url', 'the account has no url, so its secrets have no destination; give the account a url']);
    else if (origin === undefined) out.push(['url', 'not an http(s) URL']);
    else if (!dest.origins.includes(origin)) {
      out.push(['url', `${origin} is not the account's destination: an account's secrets go only to the origin (scheme, host, port) of its own url`]);
    }
  }
  if ((req.proxy !== undefined && req.proxy !== dest.proxy) || req.proxyId !== undefined) {
    out.push(['proxy', 'the account does not configure this proxy: its secrets are not sent through a proxy it did not name']);
  }
  const tls = req.tls;
  if (tls?.trust_all === true && dest.tls?.trust_all !== true) {
    out.push(['tls.trust_all', 'turns off certificate checks for the account\'s secrets; only the account itself may do that']);
  }
  if (tls?.verify_hostnames === false && dest.tls?.verify_hostnames !== false) {
    out.push(['tls.verify_hostnames', 'turns off the host name check for the account\'s secrets; only the account itself may do that']);
  }
  if (tls?.trusted_certs !== undefined && tls.trusted_certs !== dest.tls?.trusted_certs) {
    out.push(['tls.trusted_certs', 'replaces the certificate authorities trusted with the account\'s secrets; set trusted_certs in the account instead']);
  }
  if (tls?.truststore_id !== undefined) {
    out.push(['tls.truststore_id', 'replaces the certificate authorities trusted with the account\'s secrets; set trusted_certs in the account instead']);
  }
  return out;
}

/**
 * The origin a URL template will have whatever its values: `undefined` when a template tag sits before
 * the end of the host and port (the origin is then only known at send time), else the origin of its
 * literal start (`'invalid'` when that is not an http(s) URL).
 */
export function literalOrigin(template: string): string | 'invalid' | undefined {
  const tag = template.indexOf('{{');
  const fixed = tag === -1 ? template : template.slice(0, tag);
  // The authority ends at the first `/`, `\` (a path separator for http URLs), `?` or `#`.
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\\?#]*(?=[/\\?#])/.exec(fixed);
  const head = m ? m[0] : tag === -1 ? fixed : undefined;
  if (head === undefined) return undefined;
  return originOf(head) ?? 'invalid';
}

/** Thrown by a pinned client; an HttpError of kind `egress_denied`, so any classifier fails it for good. */
export class AccountDestinationError extends HttpError {
  constructor(message: string) {
    super('egress_denied', message);
    this.name = 'AccountDestinationError';
  }
}

/** A view of `http` that refuses any request breaking `dest` before a byte is sent. */
export function pinHttp(http: HttpClient, dest: AccountDestination): HttpClient {
  return {
    async request(req) {
      const problems = destinationProblems(req, dest);
      if (problems.length > 0) {
        throw new AccountDestinationError(`refused to send the account's secrets: ${problems.map(([field, why]) => `${field}: ${why}`).join('; ')}`);
      }
      return http.request(req);
    },
    // The underlying client is shared and outlives this view of it.
    close: async () => {},
  };
}

/** What `accountHttp` reads of an action type: where its accounts' secrets may go. */
export interface DestinationRule {
  readonly account?: { readonly destination: (account: any) => AccountDestination | null } | undefined;
}

/**
 * The HTTP client to hand an action type for one send: `http` itself when no account is attached (or
 * the type never sends account secrets over HTTP), else `http` pinned to the account's destination.
 * Deliveries and account tests both get their client from here.
 */
export function accountHttp(type: DestinationRule, account: unknown, http: HttpClient): HttpClient {
  if (account === undefined || !type.account) return http;
  const dest = type.account.destination(account);
  return dest ? pinHttp(http, dest) : http;
}
