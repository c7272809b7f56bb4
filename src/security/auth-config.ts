/**
 * Vigil's authentication configuration (`securityconfig`), in the shape of the OpenSearch Security
 * `config` document, keeping the parts that apply to a standalone daemon:
 *
 * - `config.dynamic.authc`: authentication domains. `basic` (internal users, HTTP Basic) and `jwt`
 *   (bearer JWTs checked against keys given inline, in a JWKS file or at a JWKS URL; issuer and audience
 *   checks; roles from a claim become backend roles). Vigil API tokens (`Bearer vgl_…`) are always accepted.
 * - `config.dynamic.http.trust_proxy`: the proxies whose `X-Forwarded-For` is believed (`api.trust_proxy`).
 *
 * Parts that make no sense here are answered 501 with the reason (see NOT_APPLICABLE).
 */
import { z } from 'zod';
import { isProxyEntry } from '../config/schema.ts';

/** Shown instead of an inline signing key; a document sent back with it keeps the stored key. */
export const KEY_PLACEHOLDER = '[redacted]';

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const jwtConfig = z
  .object({
    /** A PEM public key, or a base64 HMAC secret (as OpenSearch takes it). */
    signing_key: z.string().min(1).max(16_384).optional(),
    /** A JWKS document's URL, fetched through the egress-checked HTTP client. */
    jwks_uri: z.string().url().refine((u) => /^https?:/.test(u), 'an http(s) URL').optional(),
    /** A JWKS document's path. */
    jwks_file: z.string().min(1).max(4096).optional(),
    jwt_header: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name').default('Authorization'),
    subject_key: z.string().min(1).max(256).default('sub'),
    /** A claim (dotted path for nested claims) whose value (an array or a comma-separated string) gives backend roles. */
    roles_key: z.string().min(1).max(256).optional(),
    required_issuer: z.string().min(1).max(1024).optional(),
    required_audience: z.union([z.string().min(1).max(1024), z.array(z.string().min(1).max(1024)).min(1).max(16)]).optional(),
    jwt_clock_skew_tolerance_seconds: z.number().int().min(0).max(300).default(30),
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const sources = [c.signing_key, c.jwks_uri, c.jwks_file].filter((x) => x !== undefined).length;
    if (sources !== 1) ctx.addIssue({ code: 'custom', path: ['signing_key'], message: 'give exactly one of signing_key, jwks_uri, jwks_file' });
  });
export type JwtConfig = z.output<typeof jwtConfig>;

const domain = z
  .object({
    http_enabled: z.boolean().default(true),
    order: z.number().int().min(0).max(1000).default(0),
    description: z.string().max(1024).optional(),
    http_authenticator: z.discriminatedUnion('type', [
      z.object({ type: z.literal('basic'), challenge: z.boolean().default(true), config: z.object({}).strict().default({}) }).strict(),
      z.object({ type: z.literal('jwt'), challenge: z.boolean().default(false), config: jwtConfig }).strict(),
    ]),
    authentication_backend: z.object({ type: z.enum(['intern', 'internal', 'noop']), config: z.object({}).strict().default({}) }).strict(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const wants = d.http_authenticator.type === 'basic' ? ['intern', 'internal'] : ['noop'];
    if (!wants.includes(d.authentication_backend.type)) {
      ctx.addIssue({ code: 'custom', path: ['authentication_backend', 'type'], message: d.http_authenticator.type === 'basic' ? 'basic needs the intern backend' : 'jwt takes its users from the token: use noop' });
    }
  });
export type AuthDomain = z.output<typeof domain>;

export const securityConfigSchema = z
  .object({
    config: z
      .object({
        dynamic: z
          .object({
            http: z
              .object({
                anonymous_auth_enabled: z.literal(false, { error: 'every request to the API is authenticated' }).default(false),
                trust_proxy: z.array(z.string().refine(isProxyEntry, 'expected an IP address, a CIDR, or loopback, linklocal, uniquelocal')).max(256).optional(),
              })
              .strict()
              .prefault({}),
            authc: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a domain name'), domain).default({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type SecurityConfig = z.output<typeof securityConfigSchema>;

/** The configuration of a fresh data directory: internal users over HTTP Basic. */
export const DEFAULT_SECURITY_CONFIG: SecurityConfig = securityConfigSchema.parse({
  config: {
    dynamic: {
      authc: {
        basic_internal_auth_domain: {
          description: 'Authenticate via HTTP Basic against internal users',
          http_enabled: true,
          order: 0,
          http_authenticator: { type: 'basic', challenge: true },
          authentication_backend: { type: 'intern' },
        },
      },
    },
  },
});

/**
 * Keys of the OpenSearch document that do not apply to a standalone daemon, by where they sit (`*`: any
 * domain), with the reason given in the 501 answer.
 */
export const NOT_APPLICABLE: Record<string, string> = {
  'config.dynamic.authz': 'Vigil has no LDAP or other authorization backend: map backend roles (from JWT claims) to roles with rolesmapping.',
  'config.dynamic.http.xff': 'Vigil takes proxy addresses and CIDRs rather than a regular expression: set config.dynamic.http.trust_proxy.',
  'config.dynamic.kerberos': 'Vigil does not speak Kerberos; put it behind a proxy that does and pass a JWT.',
  'config.dynamic.opensearch-dashboards': 'Vigil has no Dashboards index or server user.',
  'config.dynamic.kibana': 'Vigil has no Dashboards index or server user.',
  'config.dynamic.disable_rest_auth': 'Every request to the Vigil API is authenticated.',
  'config.dynamic.disable_intertransport_auth': 'Vigil has no transport layer between nodes.',
  'config.dynamic.do_not_fail_on_forbidden': 'Vigil does not filter search results by permission; a request is allowed or refused.',
  'config.dynamic.multi_rolespan_enabled': 'Vigil evaluates each request against all of the caller\'s roles always.',
  'config.dynamic.filtered_alias_mode': 'Vigil serves no index aliases.',
  'config.dynamic.hosts_resolver_mode': 'Vigil never resolves client host names: role mappings match addresses (ip-only).',
  'config.dynamic.auth_failure_listeners': 'Login limits are set in the daemon configuration (api.auth_failures) and apply before any domain.',
  'config.dynamic.authc.*.transport_enabled': 'Vigil has no transport layer between nodes.',
};

/** The not-applicable keys present in a document, with their reasons. */
export function notApplicable(doc: unknown): Array<{ path: string; reason: string }> {
  const out: Array<{ path: string; reason: string }> = [];
  const dyn = (doc as { config?: { dynamic?: Record<string, unknown> } } | null)?.config?.dynamic;
  if (!dyn || typeof dyn !== 'object') return out;
  for (const [path, reason] of Object.entries(NOT_APPLICABLE)) {
    const parts = path.split('.').slice(2);
    if (parts[0] === 'authc') {
      for (const [name, d] of Object.entries((dyn.authc ?? {}) as Record<string, unknown>)) {
        if (d && typeof d === 'object' && Object.hasOwn(d, parts[2]!)) out.push({ path: `config.dynamic.authc.${name}.${parts[2]}`, reason });
      }
    } else if (parts.length === 2) {
      const http = dyn[parts[0]!];
      if (http && typeof http === 'object' && Object.hasOwn(http, parts[1]!)) out.push({ path, reason });
    } else if (Object.hasOwn(dyn, parts[0]!)) out.push({ path, reason });
  }
  return out;
}

/** The document as GET shows it: inline signing keys replaced by the placeholder. */
export function publicView(c: SecurityConfig): SecurityConfig {
  const copy = structuredClone(c);
  for (const d of Object.values(copy.config.dynamic.authc)) {
    if (d.http_authenticator.type === 'jwt' && d.http_authenticator.config.signing_key !== undefined) d.http_authenticator.config.signing_key = KEY_PLACEHOLDER;
  }
  return copy;
}

/** Puts back the stored signing key where a new document carries the placeholder for the same domain. */
export function restoreKeys(next: SecurityConfig, current: SecurityConfig): { ok: true } | { ok: false; path: string } {
  for (const [name, d] of Object.entries(next.config.dynamic.authc)) {
    if (d.http_authenticator.type !== 'jwt' || d.http_authenticator.config.signing_key !== KEY_PLACEHOLDER) continue;
    const old = current.config.dynamic.authc[name]?.http_authenticator;
    if (old?.type !== 'jwt' || old.config.signing_key === undefined) return { ok: false, path: `config.dynamic.authc.${name}.http_authenticator.config.signing_key` };
    d.http_authenticator.config.signing_key = old.config.signing_key;
  }
  return { ok: true };
}
