/**
 * The security module behind the API: users, roles, tokens, the audit log, and the AuthProvider the
 * server calls on every protected route. Everything persists in the state store's database.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AuditEvent, AuthProvider, Permission, Principal } from '../api/auth.ts';
import type { KeyRing } from '../accounts/keyring.ts';
import { tokenPepper } from '../accounts/keyring.ts';
import { loadSodium, sodiumSync } from '../accounts/sodium.ts';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { SqliteAuditLog } from './audit.ts';
import { AuditFolder } from './audit-folder.ts';
import { Authenticator, refusalError, type VigilPrincipal } from './authenticator.ts';
import { CredentialCache } from './credential-cache.ts';
import { LoginGuard, type LoginGuardOptions } from './login-guard.ts';
import { PasswordHasher, type PasswordChecker } from './passwords.ts';
import { BUILTIN_ROLES, roleAllows, type RoleDoc, type UserInput, type UserView } from './roles.ts';
import { SqliteRoleStore, SqliteUserStore, type StoredUser } from './sqlite-users.ts';
import { TokenStore } from './tokens.ts';

export interface SecurityOptions {
  db: DatabaseSync;
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
}

export type { VigilPrincipal };

export class Security implements AuthProvider {
  readonly users: SqliteUserStore;
  readonly tokens: TokenStore;
  readonly auditLog: SqliteAuditLog;
  readonly hasher: PasswordChecker;
  readonly guard: LoginGuard;
  readonly cache: CredentialCache;
  readonly #roleStore: SqliteRoleStore;
  readonly #roles = new Map<string, RoleDoc>();
  readonly #auth: Authenticator;
  readonly #folder: AuditFolder;
  readonly #o: SecurityOptions;

  private constructor(o: SecurityOptions, tokens: TokenStore) {
    this.#o = o;
    this.users = new SqliteUserStore(o.db);
    this.#roleStore = new SqliteRoleStore(o.db);
    for (const [name, doc] of this.#roleStore.list()) this.#roles.set(name, doc);
    this.tokens = tokens;
    this.auditLog = new SqliteAuditLog(o.db, o.clock);
    this.hasher = o.hasher ?? new PasswordHasher();
    this.guard = new LoginGuard({ ...o.limiter, clock: o.clock });
    this.#folder = new AuditFolder({
      clock: o.clock,
      write: (e, count, time) => this.#write(e, count, time),
      ...(o.auditFoldMs ? { flushMs: o.auditFoldMs } : {}),
      onFold: () => o.metrics?.auditFolded.inc(),
    });
    this.cache = new CredentialCache({ clock: o.clock, ...(o.keyring ? { pepper: cachePepper(o.keyring) } : {}), ...(o.cacheTtlMs ? { ttlMs: o.cacheTtlMs } : {}) });
    this.#auth = new Authenticator({
      users: this.users,
      tokens,
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
    return new Security(o, await TokenStore.open(o.db, o.keyring ?? null));
  }

  // ---- AuthProvider ----

  authenticate(req: FastifyRequest): Promise<VigilPrincipal> {
    return this.#auth.authenticate(req);
  }

  authorize(p: Principal, permission: Permission | null, ctx: { tenant?: string | undefined; method: string; route: string }): boolean {
    const roles = p.roles.map((r) => this.role(r)).filter((r): r is RoleDoc => r !== undefined);
    // Routes for any signed-in caller (own account, own tokens): allowed unless a role disables them.
    if (permission === null && roles.length === 0) return true;
    return roles.some((r) => roleAllows(r, permission, ctx));
  }

  audit(e: AuditEvent): void {
    // The refusals of an address over its failed-request limit are summed, so a flood of refused
    // requests is not a flood of writes. (The failure that reached the limit got a row of its own.)
    if (e.outcome === 'FAILED_LOGIN' && e.status === 429 && this.guard.requestsBlockedFor(e.address)) this.#folder.fold(e);
    else this.#write(e, 1, this.#o.clock.now());
  }

  #write(e: AuditEvent, count: number, time: number): void {
    try {
      this.auditLog.write(e, count, time);
    } catch (err) {
      this.#o.logger.error({ err: (err as Error).message }, 'audit write failed');
    }
  }

  /** Wall-clock now, from the injected clock. */
  clockNow(): number {
    return this.#o.clock.now();
  }

  // ---- roles ----

  role(name: string): RoleDoc | undefined {
    return Object.hasOwn(BUILTIN_ROLES, name) ? BUILTIN_ROLES[name] : this.#roles.get(name);
  }

  /** Every role, built-in ones first, hidden ones included. */
  roles(): Array<[string, RoleDoc]> {
    return [...Object.entries(BUILTIN_ROLES), ...[...this.#roles].filter(([n]) => !Object.hasOwn(BUILTIN_ROLES, n)).sort(([a], [b]) => a.localeCompare(b))];
  }

  putRole(name: string, doc: RoleDoc): void {
    if (Object.hasOwn(BUILTIN_ROLES, name)) throw new VigilError('MISSING_PRIVILEGES', `role '${name}' is built in and read-only`);
    this.#roleStore.put(name, doc);
    this.#roles.set(name, doc);
  }

  deleteRole(name: string): boolean {
    if (Object.hasOwn(BUILTIN_ROLES, name)) throw new VigilError('MISSING_PRIVILEGES', `role '${name}' is built in and read-only`);
    this.#roles.delete(name);
    return this.#roleStore.delete(name);
  }

  // ---- users ----

  /**
   * Creates or replaces a user. A new user needs a password; a replaced user keeps their hash when the
   * input has none. Every role named must exist.
   */
  async putUser(name: string, input: UserInput): Promise<{ created: boolean }> {
    const missing = input.roles.filter((r) => !this.role(r));
    if (missing.length) throw new VigilError('INVALID_REQUEST', `unknown role(s): ${missing.join(', ')}`, { roles: missing.map((r) => ({ error: 'no such role', value: r })) });
    const existing = this.users.get(name);
    if (!existing && input.password === undefined) throw new VigilError('INVALID_REQUEST', 'a new user needs a password', { password: [{ error: 'required' }] });
    const hash = input.password !== undefined ? await this.hasher.hash(input.password) : existing!.hash;
    const user: StoredUser = {
      name,
      hash,
      roles: input.roles,
      attributes: input.attributes ?? {},
      ...(input.description !== undefined ? { description: input.description } : {}),
      reserved: input.reserved ?? false,
      hidden: input.hidden ?? false,
      updatedAt: this.#o.clock.now(),
    };
    this.users.put(user);
    return { created: !existing };
  }

  deleteUser(name: string): boolean {
    this.tokens.deleteForUser(name);
    return this.users.delete(name);
  }

  /** Checks a password without the login limits or cache (local tools). */
  async checkPassword(name: string, password: string): Promise<boolean> {
    const u = this.users.get(name);
    return Boolean(u?.hash) && (await this.hasher.verify(u!.hash, password));
  }

  /**
   * Checks a signed-in user's current password (own-password change) under the same limits as a login
   * from `address`: a guess is admitted or refused (TOO_MANY_REQUESTS) before any hash, and a wrong one
   * counts. Never answered from the login cache.
   */
  async checkOwnPassword(name: string, password: string, address: string): Promise<boolean> {
    const ticket = this.guard.admitGuess(name, address);
    if ('reason' in ticket) throw refusalError(ticket);
    let ok: boolean;
    try {
      const u = this.users.get(name);
      ok = Boolean(u?.hash) && (await this.hasher.verify(u!.hash, password));
    } catch (e) {
      ticket.settle('void');
      throw e;
    }
    ticket.settle(ok ? 'right' : 'wrong');
    return ok;
  }

  async setPassword(name: string, password: string): Promise<void> {
    this.users.setHash(name, await this.hasher.hash(password), this.#o.clock.now());
  }

  async close(): Promise<void> {
    this.#folder.close();
    await this.hasher.close();
  }

  async #rehash(user: string, password: string): Promise<void> {
    try {
      await this.setPassword(user, password);
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

/** The REST view of a user: never the hash. */
export function userView(u: StoredUser): UserView {
  return { roles: u.roles, attributes: u.attributes, ...(u.description !== undefined ? { description: u.description } : {}), reserved: u.reserved, hidden: u.hidden };
}
