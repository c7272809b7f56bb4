/**
 * One pooled nodemailer transport per email account, reused across runs and rebuilt when the account
 * changes (the cache key is the account id plus a hash of its whole config, secrets included; only the
 * hash is kept). The old transport is closed when it is replaced.
 *
 * Settings:
 * - timeouts come from `session_timeout` (defaults 10 s connect / 10 s greeting / 60 s socket) instead of
 *   nodemailer's minutes; the greeting wait is also bounded by what is left of the connect timeout;
 * - `maxRequeues: 0`: nodemailer must not silently resend a message whose connection dropped — the
 *   durable outbox owns retries, with backoff and a deadline;
 * - SOCKS5 through nodemailer's `proxy` URL and the `socks` package.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import type tls from 'node:tls';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { SocksClient } from 'socks';
import type { Logger } from 'pino';
import { endpointOf, sessionTimeouts, type EmailAccount } from './account.ts';
import { protocolLogger, secretScrubber } from './redact.ts';
import { probeServerCertificate, trustedHostsTlsOptions } from './trusted-hosts.ts';

export type EmailTransport = Mail<SMTPPool.SentMessageInfo, SMTPPool.Options>;

/** Pool size per account: small, SMTP servers throttle parallel sessions from one client. */
const MAX_CONNECTIONS = 3;

/** Builds a transport for `account` (probing the server certificate first when `trusted_hosts` is set). */
export async function buildTransport(account: EmailAccount, logger: Logger): Promise<EmailTransport> {
  const ep = endpointOf(account);
  const t = sessionTimeouts(account);
  const scrub = secretScrubber([account.password, account.proxy_password], account.user);
  const servername = net.isIP(ep.host) ? undefined : ep.host;

  let tlsOptions: tls.ConnectionOptions = {};
  const extraCa = account.trusted_certs ? splitPem(account.trusted_certs) : [];
  if (extraCa.length > 0) tlsOptions.ca = extraCa;
  if (account.trust_all) {
    logger.warn({ host: ep.host }, 'email account has trust_all: any server certificate is accepted (no protection against a man in the middle)');
    tlsOptions = { rejectUnauthorized: false, checkServerIdentity: () => undefined };
  } else if (account.trusted_hosts && ep.tls !== 'none') {
    logger.warn(
      { host: ep.host, trusted_hosts: account.trusted_hosts },
      'email account has trusted_hosts: a certificate naming one of these hosts is accepted from any issuer (a man in the middle with such a certificate is accepted too)',
    );
    const pinned = await probeServerCertificate({
      endpoint: ep,
      ...(servername ? { servername } : {}),
      timeoutMs: t.connectMs + t.greetingMs,
      connect: () => openPath(account, ep.host, ep.port, t.connectMs),
    });
    tlsOptions = trustedHostsTlsOptions(account.trusted_hosts, pinned, extraCa);
  }

  const options: SMTPPool.Options & { pool: true } = {
    pool: true,
    host: ep.host,
    port: ep.port,
    secure: ep.tls === 'implicit',
    requireTLS: ep.tls === 'starttls',
    // Plain mode stays plain: no opportunistic STARTTLS that could fail on a bad certificate (see account.ts).
    ignoreTLS: ep.tls === 'none',
    connectionTimeout: t.connectMs,
    greetingTimeout: t.greetingMs,
    socketTimeout: t.socketMs,
    dnsTimeout: t.connectMs,
    maxConnections: MAX_CONNECTIONS,
    maxMessages: 100,
    maxRequeues: 0,
    tls: tlsOptions,
    logger: account.debug ? (protocolLogger(logger, scrub) as unknown as SMTPPool.Options['logger']) : false,
    debug: account.debug === true,
  };
  if (account.user !== undefined) options.auth = { user: account.user, pass: account.password ?? '' };
  if (account.proxy_host !== undefined) options.proxy = socksUrl(account);

  const transporter = nodemailer.createTransport(options);
  if (options.proxy) transporter.set('proxy_socks_module', { SocksClient });
  return transporter;
}

/** A TCP connection to host:port, through the account's SOCKS5 proxy when it has one. */
async function openPath(account: EmailAccount, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  if (account.proxy_host !== undefined) {
    const { socket } = await SocksClient.createConnection({
      proxy: {
        host: account.proxy_host,
        port: account.proxy_port!,
        type: 5,
        ...(account.proxy_user !== undefined ? { userId: account.proxy_user, password: account.proxy_password ?? '' } : {}),
      },
      destination: { host, port },
      command: 'connect',
      timeout: timeoutMs,
    });
    return socket;
  }
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.setTimeout(0);
      resolve(s);
    });
    s.once('timeout', () => s.destroy(Object.assign(new Error('connection timeout'), { code: 'ETIMEDOUT' })));
    s.once('error', reject);
  });
}

function socksUrl(a: EmailAccount): string {
  const host = net.isIPv6(a.proxy_host!) ? `[${a.proxy_host}]` : a.proxy_host!;
  const auth = a.proxy_user !== undefined ? `${encodeURIComponent(a.proxy_user)}:${encodeURIComponent(a.proxy_password ?? '')}@` : '';
  return `socks5://${auth}${host}:${a.proxy_port}`;
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Hash of the whole account (secrets included): a changed password rebuilds the transport too. */
export function accountHash(account: EmailAccount): string {
  const sorted = Object.fromEntries(Object.entries(account).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

interface CacheEntry {
  hash: string;
  transport: Promise<EmailTransport>;
}

const cache = new Map<string, CacheEntry>();

/**
 * The pooled transport of an account, built on first use and rebuilt (closing the old one) when the
 * account's config changed. A failed build is not cached.
 */
export function acquireTransport(accountId: string, account: EmailAccount, logger: Logger): Promise<EmailTransport> {
  const hash = accountHash(account);
  const current = cache.get(accountId);
  if (current && current.hash === hash) return current.transport;
  if (current) void current.transport.then((t) => t.close(), () => undefined);
  const transport = buildTransport(account, logger.child({ account: accountId }));
  const entry: CacheEntry = { hash, transport };
  cache.set(accountId, entry);
  transport.catch(() => {
    if (cache.get(accountId) === entry) cache.delete(accountId);
  });
  return transport;
}

/** Drops (and closes) an account's transport, e.g. after its pinned certificate stopped matching. */
export function evictTransport(accountId: string): void {
  const entry = cache.get(accountId);
  if (!entry) return;
  cache.delete(accountId);
  void entry.transport.then((t) => t.close(), () => undefined);
}

/** Closes every pooled transport (daemon shutdown, tests). */
export async function closeEmailTransports(): Promise<void> {
  const entries = [...cache.values()];
  cache.clear();
  await Promise.all(entries.map((e) => e.transport.then((t) => t.close(), () => undefined)));
}

/** Number of cached transports (tests and metrics). */
export function cachedTransportCount(): number {
  return cache.size;
}
