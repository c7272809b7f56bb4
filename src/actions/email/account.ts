/**
 * The email account: every Search Guard Signals field, plus Vigil's `service`,
 * `domain_allowlist` and `trusted_certs` (a PEM CA bundle).
 *
 * TLS modes, decided by two Signals flags:
 * - `enable_tls`: implicit TLS from the first byte (SMTPS, usually port 465);
 * - `enable_start_tls`: STARTTLS is **required**: when the server does not offer it the send fails before
 *   AUTH, so credentials never travel in clear text;
 * - neither: plain SMTP, and STARTTLS is **not** attempted even when offered (nodemailer `ignoreTLS`). Signals
 *   behaves the same way; an opportunistic upgrade could fail on a broken certificate and turn a working
 *   plain relay into a failing one without any config change. Use `enable_start_tls` to get encryption.
 *
 * Certificate checks: default system roots, or `trusted_certs` (replaces them); `trusted_hosts` accepts a
 * certificate issued to one of the names whatever its issuer (a man-in-the-middle with a self-signed
 * certificate for that name is accepted too: use `trusted_certs` where possible); `trust_all` accepts any
 * certificate (no protection at all). Both of the latter log a warning when the transport is built.
 */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import wellKnown from 'nodemailer/lib/well-known';
import { parseDuration } from '../../schedule/duration.ts';
import { checkAddressField, senderDefaultsRules, senderDefaultsShape } from './defaults.ts';
import { accountSchemas } from '../shared/account-schema.ts';

const addressField = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** The longest session timeout: a value written in milliseconds would otherwise wait for hours. */
const MAX_SESSION_TIMEOUT_MS = 3_600_000;

/**
 * A duration: a number of **seconds**, as the Signals accounts documentation gives `session_timeout`
 * ("time duration in seconds"), or a Vigil duration string (`30s`, `500ms`). At most one hour.
 */
const durationField = z.union([
  z.number().positive().max(MAX_SESSION_TIMEOUT_MS / 1000, 'is in seconds; at most 3600 (one hour)'),
  z.string().superRefine((s, ctx) => {
    try {
      const ms = parseDuration(s);
      if (ms <= 0) ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
      else if (ms > MAX_SESSION_TIMEOUT_MS) ctx.addIssue({ code: 'custom', message: 'must be at most one hour' });
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  }),
]);

const sessionTimeoutField = z.union([
  durationField,
  z.strictObject({
    connect: durationField.optional(),
    greeting: durationField.optional(),
    socket: durationField.optional(),
  }),
]);

const hostField = z.string().min(1).max(253).regex(/^[^\s/@:]+$|^\[[0-9a-fA-F:.]+\]$/, 'must be a host name or an IP address');

const emailConfig = z.strictObject({
  host: hostField.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** Vigil: a nodemailer well-known service name (`gmail`, `SES-EU-WEST-1`…) filling host, port and TLS. */
  service: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  enable_tls: z.boolean().optional(),
  enable_start_tls: z.boolean().optional(),
  trusted_hosts: z.array(z.string().min(1)).min(1).optional(),
  trust_all: z.boolean().optional(),
  /** Vigil: PEM CA bundle used instead of the system roots. */
  trusted_certs: z.string().min(1).optional(),
  default_from: addressField.optional(),
  default_to: senderDefaultsShape.default_to,
  default_cc: senderDefaultsShape.default_cc,
  default_bcc: senderDefaultsShape.default_bcc,
  /**
   * One value sets the connect, greeting and socket timeouts (Signals' single `session_timeout`, in
   * seconds); the object form sets them apart. Defaults 10 s / 10 s / 60 s.
   */
  session_timeout: sessionTimeoutField.optional(),
  proxy_host: hostField.optional(),
  proxy_port: z.number().int().min(1).max(65535).optional(),
  proxy_user: z.string().min(1).optional(),
  /** Logs the SMTP dialogue (AUTH lines redacted) at debug level. */
  debug: z.boolean().optional(),
  domain_allowlist: senderDefaultsShape.domain_allowlist,
});

/** Sealed at rest and never returned, logged or rendered. */
const emailSecrets = z.strictObject({
  password: z.string().optional(),
  proxy_password: z.string().optional(),
});

export const emailAccount = accountSchemas(emailConfig, emailSecrets, (a, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (a.host === undefined && a.service === undefined) issue('host', 'host is required (or service)');
  if (a.service !== undefined && !wellKnown(a.service)) issue('service', `unknown service '${a.service}'`);
  if (a.enable_tls && a.enable_start_tls) {
    issue('enable_start_tls', 'enable_tls (implicit TLS) and enable_start_tls (STARTTLS) exclude each other');
  }
  if (a.password !== undefined && a.user === undefined) issue('user', 'user is required when a password is set');
  if (a.proxy_host !== undefined && a.proxy_port === undefined) issue('proxy_port', 'proxy_port is required with proxy_host');
  if (a.proxy_host === undefined && (a.proxy_port ?? a.proxy_user ?? a.proxy_password) !== undefined) {
    issue('proxy_host', 'proxy_host is required with the other proxy_* fields');
  }
  if (a.proxy_password !== undefined && a.proxy_user === undefined) issue('proxy_user', 'proxy_user is required with proxy_password');
  if (a.trusted_certs !== undefined) {
    const problem = pemProblem(a.trusted_certs);
    if (problem) issue('trusted_certs', problem);
  }
  checkAddressField(a.default_from, a.domain_allowlist, (m) => issue('default_from', m), { single: true });
  senderDefaultsRules(a, issue);
});

export type EmailAccount = z.infer<typeof emailAccount.schema>;

export const DEFAULT_TIMEOUTS = { connectMs: 10_000, greetingMs: 10_000, socketMs: 60_000 } as const;

export interface SessionTimeouts {
  connectMs: number;
  greetingMs: number;
  socketMs: number;
}

/** The connect, greeting and socket timeouts of an account, defaults applied. */
export function sessionTimeouts(a: EmailAccount): SessionTimeouts {
  const st = a.session_timeout;
  if (st === undefined) return { ...DEFAULT_TIMEOUTS };
  if (typeof st === 'number' || typeof st === 'string') {
    const ms = toMs(st);
    return { connectMs: ms, greetingMs: ms, socketMs: ms };
  }
  return {
    connectMs: st.connect !== undefined ? toMs(st.connect) : DEFAULT_TIMEOUTS.connectMs,
    greetingMs: st.greeting !== undefined ? toMs(st.greeting) : DEFAULT_TIMEOUTS.greetingMs,
    socketMs: st.socket !== undefined ? toMs(st.socket) : DEFAULT_TIMEOUTS.socketMs,
  };
}

/** Seconds (a number) or a duration string, in milliseconds. */
function toMs(v: number | string): number {
  return typeof v === 'number' ? Math.round(v * 1000) : parseDuration(v);
}

export type TlsMode = 'implicit' | 'starttls' | 'none';

/** Host, port and TLS mode after the well-known service (if any) filled the gaps. */
export interface Endpoint {
  host: string;
  port: number;
  tls: TlsMode;
}

export function endpointOf(a: EmailAccount): Endpoint {
  const svc = a.service !== undefined ? wellKnown(a.service) || undefined : undefined;
  const host = a.host ?? svc?.host ?? 'localhost';
  let tls: TlsMode = 'none';
  if (a.enable_tls) tls = 'implicit';
  else if (a.enable_start_tls) tls = 'starttls';
  else if (a.enable_tls === undefined && a.enable_start_tls === undefined && svc) {
    // Only when the account says nothing about TLS does the provider's own setting apply.
    tls = svc.secure ? 'implicit' : svc.requireTLS ? 'starttls' : 'none';
  }
  const port = a.port ?? (svc?.port !== undefined ? Number(svc.port) : tls === 'implicit' ? 465 : 587);
  return { host, port, tls };
}

function pemProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return 'must hold one or more PEM certificates (-----BEGIN CERTIFICATE-----)';
  for (const [i, b] of blocks.entries()) {
    try {
      new X509Certificate(b);
    } catch {
      return `certificate ${i + 1} of the bundle cannot be parsed`;
    }
  }
  return undefined;
}
