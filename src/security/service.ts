/**
 * The security module behind the API: the AuthProvider the server calls on every protected route, and
 * the users, roles, role mappings, action groups, tenants, tokens, audit trail and authentication
 * configuration the security routes manage. Everything persists in the SecurityStore; what requests
 * need is kept in memory (see directory.ts).
 */
import type { FastifyRequest } from 'fastify';
import proxyAddr from '@fastify/proxy-addr';
import type { Logger } from 'pino';
import type { AuditEvent, AuthProvider, Permission, Principal } from './types.ts';
import type { KeyRing } from '../accounts/keyring.ts';
import { tokenPepper } from '../accounts/keyring.ts';
import { loadSodium, sodiumSync } from '../accounts/sodium.ts';
import type { Clock } from '../clock.ts';
import type { Metrics } from '../metrics.ts';
import type { HttpClient } from '../net/types.ts';
import type { SecurityStore } from '../state/security-types.ts';
import { AuditTrail } from './audit.ts';
import { auditConfigSchema, type AuditConfig } from './audit-config.ts';
import { DEFAULT_SECURITY_CONFIG, securityConfigSchema, type SecurityConfig } from './auth-config.ts';
import { Authenticator, type VigilPrincipal } from './authenticator.ts';
import { CredentialCache } from './credential-cache.ts';
import { SecurityDirectory } from './directory.ts';
import { JwtVerifier } from './jwt.ts';
import { LoginGuard, type LoginGuardOptions } from './login-guard.ts';
import { PasswordHasher, type PasswordChecker } from './passwords.ts';
import { roleAllows, type CompiledRole } from './role-eval.ts';
import { TokenService } from './tokens.ts';
import { UserAdmin } from './user-admin.ts';

export interface SecurityOptions {
  store: SecurityStore;
  clock: Clock;
  logger: Logger;
  /** When present, peppers come from it (token hashes, the login cache); else local random peppers. */
  keyring?: KeyRing | null;
  /** Login limits (see LoginGuardOptions for the defaults). */
  limiter?: LoginGuardOptions;
  /** Default: a pool of 2 Argon2id workers. */
  hasher?: PasswordChecker;
  /** Where authentication failures and summed audit rows are counted. */
  metrics?: Metrics;
  /** How often summed failed-login audit rows are written. Default 60 000 ms. */
  auditFoldMs?: number;
  /** Login cache TTL, at most (and default) 5 minutes. */
  cacheTtlMs?: number;
  /** The egress-checked HTTP client, for JWKS URLs. */
  http?: HttpClient;
  /** The daemon configuration's `api.trust_proxy`, used until the security configuration sets its own. */
  trustProxy?: readonly string[];
  /** Least time between two fetches of a JWKS (default 30 s). */
  jwksRefreshMinMs?: number;
  /** The watches folder: tenants are its sub-folders. Without it tenants cannot be created or deleted. */
  watchesDir?: string;
  /** The API's TLS files (`api.tls`), for `ssl/certs` and `ssl/http/reloadcerts`. */
  tls?: { cert_file: string; key_file: string };
}

export type { VigilPrincipal };

export class Security implements AuthProvider {
  readonly directory: SecurityDirectory;
  readonly tokens: TokenService;
  readonly hasher: PasswordChecker;
  readonly guard: LoginGuard;
  readonly cache: CredentialCache;
  readonly auditLog: AuditTrail;
  readonly users: UserAdmin;
  readonly store: SecurityStore;
  readonly #auth: Authenticator;
  readonly #o: SecurityOptions;
  #config: SecurityConfig = DEFAULT_SECURITY_CONFIG;
  #methods: { basic: boolean; jwt: JwtVerifier[] } = { basic: true, jwt: [] };
  #trust: (addr: string, hop: number) => boolean = () => false;

  private constructor(o: SecurityOptions, directory: SecurityDirectory) {
    this.#o = o;
    this.store = o.store;
    this.directory = directory;
    this.tokens = new TokenService(o.store, o.keyring ?? null, o.clock);
    this.hasher = o.hasher ?? new PasswordHasher();
    this.guard = new LoginGuard({ ...o.limiter, clock: o.clock });
    this.auditLog = new AuditTrail({
      store: o.store,
      clock: o.clock,
      logger: o.logger,
      fold: (e) => this.guard.requestsBlockedFor(e.address) > 0,
      ...(o.auditFoldMs ? { flushMs: o.auditFoldMs } : {}),
      onFold: () => o.metrics?.auditFolded.inc(),
    });
    this.cache = new CredentialCache({ clock: o.clock, ...(o.keyring ? { pepper: cachePepper(o.keyring) } : {}), ...(o.cacheTtlMs ? { ttlMs: o.cacheTtlMs } : {}) });
    this.users = new UserAdmin({ directory, tokens: this.tokens, hasher: this.hasher, guard: this.guard, clock: o.clock });
    this.#auth = new Authenticator({
      directory,
      tokens: this.tokens,
      methods: () => this.#methods,
      hasher: this.hasher,
      guard: this.guard,
      cache: this.cache,
      clock: o.clock,
      onRehash: (user, password) => void this.#rehash(user, password),
      onFailure: (why) => o.metrics?.authFailures.inc({ reason: why }),
    });
  }

  static async open(o: SecurityOptions): Promise<Security> {
    await loadSodium();
    const s = new Security(o, await SecurityDirectory.load(o.store));
    const stored = await o.store.config.get('security');
    s.#useConfig(stored === undefined ? DEFAULT_SECURITY_CONFIG : securityConfigSchema.parse(stored));
    const audit = await o.store.config.get('audit');
    if (audit !== undefined) s.auditLog.config = auditConfigSchema.parse(audit);
    return s;
  }

  // ---- AuthProvider ----

  authenticate(req: FastifyRequest): Promise<VigilPrincipal> {
    return this.#auth.authenticate(req);
  }

  authorize(p: Principal, permission: Permission | null, ctx: { tenant?: string | undefined; method: string; route: string }): boolean {
    const roles = this.compiledRoles(p.roles);
    // Routes for any signed-in caller (own account, own tokens): allowed unless a role disables them.
    if (permission === null && roles.length === 0) return true;
    return roles.some((r) => roleAllows(r, permission, ctx));
  }

  audit(e: AuditEvent): void {
    this.auditLog.record(e);
  }

  trustProxy(addr: string, hop: number): boolean {
    return this.#trust(addr, hop);
  }

  /** The compiled forms of the named roles that exist. */
  compiledRoles(names: readonly string[]): CompiledRole[] {
    return names.map((r) => this.directory.compiled(r)).filter((r): r is CompiledRole => r !== undefined);
  }

  /** Wall-clock now, from the injected clock. */
  clockNow(): number {
    return this.#o.clock.now();
  }

  // ---- configuration documents ----

  /** The options it was opened with (the routes read `watchesDir` and `tls`). */
  get options(): Readonly<SecurityOptions> {
    return this.#o;
  }

  get securityConfig(): SecurityConfig {
    return this.#config;
  }

  /** Stores and applies a validated authentication configuration. */
  async setSecurityConfig(c: SecurityConfig): Promise<void> {
    const methods = this.#buildMethods(c);
    await this.#o.store.config.put('security', c);
    this.#config = c;
    this.#methods = methods;
    this.#trust = this.#buildTrust(c);
  }

  async setAuditConfig(c: AuditConfig): Promise<void> {
    await this.#o.store.config.put('audit', c);
    this.auditLog.config = c;
  }

  /** Forgets remembered logins and tokens (`DELETE /_plugins/_security/api/cache`). */
  flushCaches(): void {
    this.cache.clear();
    this.tokens.forget();
  }

  async close(): Promise<void> {
    this.auditLog.close();
    await this.hasher.close();
  }

  #useConfig(c: SecurityConfig): void {
    this.#config = c;
    this.#methods = this.#buildMethods(c);
    this.#trust = this.#buildTrust(c);
  }

  /** Throws (a key that does not parse) before anything is stored. */
  #buildMethods(c: SecurityConfig): { basic: boolean; jwt: JwtVerifier[] } {
    const domains = Object.values(c.config.dynamic.authc).filter((d) => d.http_enabled).sort((a, b) => a.order - b.order);
    return {
      basic: domains.some((d) => d.http_authenticator.type === 'basic'),
      jwt: domains.flatMap((d) =>
        d.http_authenticator.type === 'jwt'
          ? [new JwtVerifier(d.http_authenticator.config, { clock: this.#o.clock, http: this.#o.http, ...(this.#o.jwksRefreshMinMs !== undefined ? { refreshMinMs: this.#o.jwksRefreshMinMs } : {}) })]
          : [],
      ),
    };
  }

  #buildTrust(c: SecurityConfig): (addr: string, hop: number) => boolean {
    const list = c.config.dynamic.http.trust_proxy ?? this.#o.trustProxy ?? [];
    return list.length ? proxyAddr.compile([...list]) : () => false;
  }

  async #rehash(user: string, password: string): Promise<void> {
    try {
      await this.users.setPassword(user, password);
      this.#o.logger.info({ user }, 'password hash upgraded to the current Argon2id parameters');
    } catch (e) {
      this.#o.logger.warn({ user, err: (e as Error).message }, 'password hash upgrade failed');
    }
  }
}

/** The login-cache key: derived from the token pepper under its own label, so the two uses stay apart. */
function cachePepper(ring: KeyRing): Uint8Array {
  const s = sodiumSync();
  const base = tokenPepper(ring);
  const out = s.crypto_generichash(32, s.from_string('vigil-login-cache'), base);
  s.memzero(base);
  return out;
}
