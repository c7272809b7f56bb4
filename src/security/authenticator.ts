/**
 * Who is calling: HTTP Basic (internal users; Argon2id, or bcrypt for imported hashes),
 * `Authorization: Bearer vgl_…` (API tokens) or a bearer JWT (the `jwt` domains of the security
 * configuration), behind the login guard (per user and address, per address, concurrent hashes).
 * Credentials are never logged, echoed or kept: errors say only what kind of failure it was. The
 * principal carries the caller's effective roles: its own and those its role mappings give it.
 *
 * Order matters. A valid token is accepted before any limit is looked at: tokens cannot be guessed, and
 * failures of others at the same address must not lock a token holder out. A Basic login meets the
 * blocks first, then the login cache, then admission, and only then a hash; every refusal before the
 * hash is decided without looking at the password, so a blocked client learns nothing from it.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './types.ts';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import { TOKEN_PREFIX } from './tokens.ts';
import type { CredentialCache } from './credential-cache.ts';
import type { LoginGuard, Refusal } from './login-guard.ts';
import type { UserRecord } from '../state/security-types.ts';
import type { SecurityDirectory } from './directory.ts';
import type { JwtVerifier } from './jwt.ts';
import type { PasswordChecker } from './passwords.ts';
import { effectiveRoles } from './role-eval.ts';
import type { TokenService } from './tokens.ts';

/** Why a request was not authenticated, for the metrics. */
export type AuthFailure = 'credentials' | 'blocked' | 'busy';

export interface AuthenticatorDeps {
  directory: SecurityDirectory;
  tokens: TokenService;
  /** The enabled authentication methods, from the security configuration (read on every request). */
  methods: () => { basic: boolean; jwt: readonly JwtVerifier[] };
  hasher: PasswordChecker;
  guard: LoginGuard;
  cache: CredentialCache;
  clock: Clock;
  /** Called after a successful login whose hash was made with older parameters. */
  onRehash?: (user: string, password: string) => void;
  /** Called once for every request that is not authenticated. */
  onFailure?: (why: AuthFailure) => void;
}

/** A principal that came in with a token carries its id (so a caller can revoke "this" token). */
export interface VigilPrincipal extends Principal {
  via: 'basic' | 'token' | 'jwt';
  backendRoles: string[];
  /** Roles given to the user directly (before role mappings). */
  ownRoles: string[];
  tokenId?: string;
}

function unauthorized(message = 'authentication failed'): VigilError {
  return new VigilError('UNAUTHORIZED', message);
}

/** The 429 for a refusal; it depends on the refusal only, never on the credentials. */
export function refusalError(r: Refusal): VigilError {
  const seconds = Math.max(1, Math.ceil(r.retryMs / 1000));
  const what = { user: 'for this user from this client address', address: 'from this client address', requests: 'from this client address' }[r.limit];
  const message =
    r.reason === 'busy'
      ? `too many password checks in progress ${r.limit === 'user' ? 'for this user' : 'from this client address'}; retry in ${seconds} s`
      : `too many failed ${r.limit === 'requests' ? 'requests' : 'logins'} ${what}; retry in ${seconds} s`;
  return new VigilError('TOO_MANY_REQUESTS', message, { retry_after: [{ error: r.reason, value: seconds }] });
}

/** `user:password` from a Basic header value; undefined when it is not one. */
export function parseBasic(value: string): { user: string; password: string } | undefined {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i <= 0 || value.length > 4096) return undefined;
  return { user: text.slice(0, i), password: text.slice(i + 1) };
}

/** A finished password check: whether it matched, and the stored hash it was checked against. */
type Verdict = { ok: boolean; hash: string | undefined } | { error: unknown };

export class Authenticator {
  readonly #d: AuthenticatorDeps;
  #dummy: Promise<string> | undefined;
  /** Password checks in flight by credential fingerprint: the same guess twice shares one hash. */
  readonly #inflight = new Map<string, Promise<Verdict>>();

  constructor(d: AuthenticatorDeps) {
    this.#d = d;
  }

  async authenticate(req: FastifyRequest): Promise<VigilPrincipal> {
    const ip = req.ip;
    const { basic, jwt } = this.#d.methods();
    // A JWT domain reading its own header (an OIDC proxy's) goes first: that header is its alone.
    for (const v of jwt) {
      if (v.header === 'authorization') continue;
      const h = req.headers[v.header];
      if (typeof h === 'string' && h.length) return this.#jwt([v], h.replace(/^bearer\s+/i, ''), ip);
    }
    const header = req.headers.authorization;
    if (!header) this.#reject(ip, unauthorized('authentication required (HTTP Basic or Bearer token)'));
    const sp = header.indexOf(' ');
    const scheme = sp > 0 ? header.slice(0, sp).toLowerCase() : '';
    const value = sp > 0 ? header.slice(sp + 1).trim() : '';
    if (scheme === 'bearer') {
      const bearerJwt = jwt.filter((v) => v.header === 'authorization');
      if (value.startsWith(TOKEN_PREFIX) || bearerJwt.length === 0) return this.#token(value, ip);
      return this.#jwt(bearerJwt, value, ip);
    }
    if (scheme === 'basic' && basic) return this.#basic(value, ip);
    this.#reject(ip, unauthorized(`unsupported authorization scheme (use ${basic ? 'Basic or ' : ''}Bearer)`));
  }

  /** The principal of a user known to Vigil or named by a token, with its effective roles. */
  principal(subject: { name: string; roles: readonly string[]; backendRoles: readonly string[] }, ip: string, via: VigilPrincipal['via'], tokenId?: string): VigilPrincipal {
    const roles = effectiveRoles(subject, { address: ip }, this.#d.directory.mappings());
    return { name: subject.name, roles, backendRoles: [...subject.backendRoles], ownRoles: [...subject.roles], via, ...(tokenId ? { tokenId } : {}) };
  }

  async #jwt(verifiers: readonly JwtVerifier[], token: string, ip: string): Promise<VigilPrincipal> {
    for (const v of verifiers) {
      try {
        const id = await v.verify(token);
        return this.principal({ name: id.name, roles: [], backendRoles: id.backendRoles }, ip, 'jwt');
      } catch {
        // The next domain may know the key; the reason is not told (it would help forging).
      }
    }
    this.#reject(ip, unauthorized('invalid or expired token'));
  }

  /**
   * Fails a request that guessed no password. While its address is over its failed-request limit it is
   * answered as refused (whatever it carried); otherwise it counts against the address.
   */
  #reject(ip: string, err: VigilError): never {
    const blocked = this.#d.guard.requestsBlockedFor(ip);
    if (blocked) this.#refuse(ip, { reason: 'blocked', limit: 'requests', retryMs: blocked });
    this.#d.guard.failedRequest(ip);
    this.#d.onFailure?.('credentials');
    throw err;
  }

  #refuse(ip: string, r: Refusal): never {
    this.#d.guard.failedRequest(ip);
    this.#d.onFailure?.(r.reason);
    throw refusalError(r);
  }

  async #token(token: string, ip: string): Promise<VigilPrincipal> {
    const info = await this.#d.tokens.verify(token, this.#d.clock.now());
    const user = info && this.#d.directory.user(info.user);
    if (!info || !user) this.#reject(ip, unauthorized('invalid or expired token'));
    return this.principal(user, ip, 'token', info.id);
  }

  async #basic(value: string, ip: string): Promise<VigilPrincipal> {
    const cred = parseBasic(value);
    if (!cred) this.#reject(ip, unauthorized('malformed Basic credentials'));
    const { guard, cache } = this.#d;
    // Blocks first: a blocked client gets the same answer, at once, for a right or a wrong password
    // (the login cache would otherwise answer a right one).
    const blocked = guard.blocked(cred.user, ip);
    if (blocked) this.#refuse(ip, blocked);

    const user = this.#d.directory.user(cred.user);
    const fp = cache.fingerprint(cred.user, cred.password);
    if (user?.hash && cache.hasFingerprint(fp, user.hash)) return this.principal(user, ip, 'basic');

    let verdict = this.#inflight.get(fp);
    if (verdict) {
      // The same credentials are being checked already: share that answer (no new guess, no new hash).
      return this.#outcome(await verdict, cred, ip, fp, false);
    }
    const ticket = guard.admitGuess(cred.user, ip);
    if ('reason' in ticket) this.#refuse(ip, ticket);
    verdict = this.#check(user, cred.password).then(
      (ok) => (ticket.settle(ok ? 'right' : 'wrong'), { ok, hash: user?.hash }),
      (error: unknown) => (ticket.settle('void'), { error }),
    );
    this.#inflight.set(fp, verdict);
    try {
      return this.#outcome(await verdict, cred, ip, fp, true);
    } finally {
      this.#inflight.delete(fp);
    }
  }

  async #check(user: UserRecord | undefined, password: string): Promise<boolean> {
    if (user?.hash) return this.#d.hasher.verify(user.hash, password);
    // Same cost for an unknown user, so timing does not tell which names exist.
    this.#dummy ??= this.#d.hasher.hash(randomBytes(16).toString('hex'));
    let dummy: string;
    try {
      dummy = await this.#dummy;
    } catch (e) {
      // A busy hasher refused it: try again next time instead of failing every unknown name forever.
      this.#dummy = undefined;
      throw e;
    }
    await this.#d.hasher.verify(dummy, password);
    return false;
  }

  async #outcome(v: Verdict, cred: { user: string; password: string }, ip: string, fp: string, admitted: boolean): Promise<VigilPrincipal> {
    if ('error' in v) {
      if (!admitted) this.#d.guard.failedRequest(ip);
      this.#d.onFailure?.('busy');
      throw v.error;
    }
    // Re-read: the user may have changed their password or gone while the hash ran.
    const user = this.#d.directory.user(cred.user);
    if (!v.ok || !user?.hash || user.hash !== v.hash) {
      // An admitted guess was counted when it settled; one that shared it counts for its own address.
      if (!admitted) this.#d.guard.failedRequest(ip);
      this.#d.onFailure?.('credentials');
      throw unauthorized();
    }
    if (admitted) {
      this.#d.cache.addFingerprint(fp, user.hash);
      if (this.#d.onRehash && (await this.#d.hasher.needsRehash(user.hash))) this.#d.onRehash(user.name, cred.password);
    }
    return this.principal(user, ip, 'basic');
  }
}
