import type { Logger } from 'pino';
import { egressDenied, systemResolve, type ResolveFn } from './connector.ts';
import type { EgressPolicy } from './egress.ts';

/**
 * The egress check for connections that do not go through the HTTP client: SMTP servers and their
 * SOCKS proxies (nodemailer opens its own sockets). The host is judged as written (literal-IP tricks,
 * `localhost`), then every address it resolves to. Residual gap, unlike the HTTP connector: nodemailer
 * resolves the name again when it connects, so a DNS answer that changes within that moment is not seen.
 */
export interface HostCheck {
  /** Resolves when host:port may be reached; rejects with HttpError('egress_denied') otherwise. */
  checkHost(host: string, port: number): Promise<void>;
}

export function createHostCheck(policy: EgressPolicy, logger: Logger, resolve: ResolveFn = systemResolve): HostCheck {
  const guard = { policy, logger, resolve };
  return {
    async checkHost(host, port) {
      const pre = policy.checkHost(host, port);
      if (!pre.allowed) throw egressDenied(guard, host, port, pre.reason);
      if (pre.ip !== undefined) return;
      const all = await resolve(host);
      for (const a of all) {
        const d = policy.checkAddress(a.address, host, port);
        if (!d.allowed) throw egressDenied(guard, host, port, d.reason);
      }
    },
  };
}
