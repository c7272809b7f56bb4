/**
 * Internal users: reads from memory, changes written through to the store. Passwords set in Vigil are
 * hashed with Argon2id; a `hash` given instead (bcrypt as OpenSearch stores them, or Argon2id) is kept
 * as it is. Deleting a user deletes their tokens.
 */
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import type { UserRecord } from '../state/security-types.ts';
import { refusalError } from './authenticator.ts';
import type { SecurityDirectory } from './directory.ts';
import type { LoginGuard } from './login-guard.ts';
import type { PasswordChecker } from './passwords.ts';
import type { TokenService } from './tokens.ts';

/** A user as written: `password` (hashed here) or `hash` (kept), never both. */
export interface UserWrite {
  password?: string | undefined;
  /** A stored-hash string; '' or absent keeps the current hash. */
  hash?: string | undefined;
  roles: string[];
  backendRoles?: string[] | undefined;
  attributes?: Record<string, string> | undefined;
  description?: string | undefined;
  reserved?: boolean | undefined;
  hidden?: boolean | undefined;
}

export interface UserAdminDeps {
  directory: SecurityDirectory;
  tokens: TokenService;
  hasher: PasswordChecker;
  guard: LoginGuard;
  clock: Clock;
}

export class UserAdmin {
  readonly #d: UserAdminDeps;

  constructor(d: UserAdminDeps) {
    this.#d = d;
  }

  get(name: string): UserRecord | undefined {
    return this.#d.directory.user(name);
  }

  list(): UserRecord[] {
    return this.#d.directory.users();
  }

  /** Writes a user record as it is (tools and tests). */
  put(u: UserRecord): Promise<void> {
    return this.#d.directory.write([{ kind: 'users', name: u.name, value: u }]);
  }

  /** The record `input` makes of user `name` (hashing a password); throws INVALID_REQUEST. */
  async record(name: string, input: UserWrite): Promise<UserRecord> {
    const missing = input.roles.filter((r) => !this.#d.directory.role(r));
    if (missing.length) throw new VigilError('INVALID_REQUEST', `unknown role(s): ${missing.join(', ')}`, { roles: missing.map(() => ({ error: 'no such role' })) });
    const existing = this.get(name);
    let hash: string;
    if (input.password !== undefined) hash = await this.#d.hasher.hash(input.password);
    else if (input.hash) hash = input.hash;
    else if (existing) hash = existing.hash;
    else throw new VigilError('INVALID_REQUEST', 'a new user needs a password (or a hash)', { password: [{ error: 'required' }] });
    return {
      name,
      hash,
      roles: input.roles,
      backendRoles: input.backendRoles ?? [],
      attributes: input.attributes ?? {},
      ...(input.description !== undefined ? { description: input.description } : {}),
      reserved: input.reserved ?? false,
      hidden: input.hidden ?? false,
      updatedAt: this.#d.clock.now(),
    };
  }

  /** Creates or replaces a user. A replaced user keeps their hash when the input has neither password nor hash. */
  async putUser(name: string, input: UserWrite): Promise<{ created: boolean }> {
    const created = !this.get(name);
    const user = await this.record(name, input);
    await this.put(user);
    this.#d.tokens.forget();
    return { created };
  }

  async delete(name: string): Promise<boolean> {
    if (!this.get(name)) return false;
    await this.#d.directory.write([{ kind: 'users', name, value: null }]);
    this.#d.tokens.forget();
    return true;
  }

  /** Forgets remembered tokens (after users changed). */
  forgetTokens(): void {
    this.#d.tokens.forget();
  }

  /** Checks a password without the login limits or cache (local tools). */
  async checkPassword(name: string, password: string): Promise<boolean> {
    const u = this.get(name);
    return Boolean(u?.hash) && (await this.#d.hasher.verify(u!.hash, password));
  }

  /**
   * Checks a signed-in user's current password (own-password change) under the same limits as a login
   * from `address`: a guess is admitted or refused (TOO_MANY_REQUESTS) before any hash, and a wrong one
   * counts. Never answered from the login cache.
   */
  async checkOwnPassword(name: string, password: string, address: string): Promise<boolean> {
    const ticket = this.#d.guard.admitGuess(name, address);
    if ('reason' in ticket) throw refusalError(ticket);
    let ok: boolean;
    try {
      ok = await this.checkPassword(name, password);
    } catch (e) {
      ticket.settle('void');
      throw e;
    }
    ticket.settle(ok ? 'right' : 'wrong');
    return ok;
  }

  async setPassword(name: string, password: string): Promise<void> {
    const hash = await this.#d.hasher.hash(password);
    await this.#d.directory.change(async () => {
      const u = this.get(name);
      return { changes: u ? [{ kind: 'users', name, value: { ...u, hash, updatedAt: this.#d.clock.now() } }] : [], result: undefined };
    });
  }
}
