/**
 * Who is calling: HTTP Basic (internal users, Argon2id) or `Authorization: Bearer vgl_…` (API tokens),
 * behind the failure limiter (per user name and per client address). Credentials are never logged,
 * echoed or kept: errors say only what kind of failure it was.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../api/auth.ts';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import type { CredentialCache } from './credential-cache.ts';
import type { FailureLimiter } from './limiter.ts';
import type { PasswordHasher } from './passwords.ts';
import type { SqliteUserStore } from './sqlite-users.ts';
import type { TokenStore } from './tokens.ts';

export interface AuthenticatorDeps {
  users: SqliteUserStore;
  tokens: TokenStore;
  hasher: PasswordHasher;
  limiter: FailureLimiter;
  cache: CredentialCache;
  clock: Clock;
  /** Called after a successful login whose hash was made with older parameters. */
  onRehash?: (user: string, password: string) => void;
}

/** A principal that came in with a token carries its id (so a caller can revoke "this" token). */
export interface VigilPrincipal extends Principal {
  via: 'basic' | 'token';
  tokenId?: string;
}

function unauthorized(message = 'authentication failed'): VigilError {
  return new VigilError('UNAUTHORIZED', message);
}

function tooMany(ms: number, what: string): VigilError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new VigilError('TOO_MANY_REQUESTS', `too many failed logins for this ${what}; retry in ${seconds} s`, { retry_after: [{ error: 'blocked', value: seconds }] });
}

/** `user:password` from a Basic header value; undefined when it is not one. */
export function parseBasic(value: string): { user: string; password: string } | undefined {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i <= 0 || value.length > 4096) return undefined;
  return { user: text.slice(0, i), password: text.slice(i + 1) };
}

export class Authenticator {
  readonly #d: AuthenticatorDeps;
  #dummy: Promise<string> | undefined;

  constructor(d: AuthenticatorDeps) {
    this.#d = d;
  }

  async authenticate(req: FastifyRequest): Promise<VigilPrincipal> {
    const header = req.headers.authorization;
    if (!header) throw unauthorized('authentication required (HTTP Basic or Bearer token)');
    const addrKey = `a:${req.ip}`;
    const addrBlock = this.#d.limiter.blockedFor(addrKey);
    if (addrBlock) throw tooMany(addrBlock, 'client address');
    const sp = header.indexOf(' ');
    const scheme = sp > 0 ? header.slice(0, sp).toLowerCase() : '';
    const value = sp > 0 ? header.slice(sp + 1).trim() : '';
    if (scheme === 'bearer') return this.#token(value, addrKey);
    if (scheme === 'basic') return this.#basic(value, addrKey);
    this.#d.limiter.fail(addrKey);
    throw unauthorized('unsupported authorization scheme (use Basic or Bearer)');
  }

  #token(token: string, addrKey: string): VigilPrincipal {
    const info = this.#d.tokens.verify(token, this.#d.clock.now());
    const user = info && this.#d.users.get(info.user);
    if (!info || !user) {
      this.#d.limiter.fail(addrKey);
      throw unauthorized('invalid or expired token');
    }
    return { name: user.name, roles: user.roles, via: 'token', tokenId: info.id };
  }

  async #basic(value: string, addrKey: string): Promise<VigilPrincipal> {
    const cred = parseBasic(value);
    if (!cred) {
      this.#d.limiter.fail(addrKey);
      throw unauthorized('malformed Basic credentials');
    }
    const userKey = `u:${cred.user.slice(0, 256)}`;
    const userBlock = this.#d.limiter.blockedFor(userKey);
    if (userBlock) throw tooMany(userBlock, 'user');
    const user = this.#d.users.get(cred.user);
    if (user?.hash && this.#d.cache.has(user.name, cred.password, user.hash)) {
      return { name: user.name, roles: user.roles, via: 'basic' };
    }
    let ok: boolean;
    if (user?.hash) {
      ok = await this.#d.hasher.verify(user.hash, cred.password);
    } else {
      // Same cost for an unknown user, so timing does not tell which names exist.
      this.#dummy ??= this.#d.hasher.hash(randomBytes(16).toString('hex'));
      await this.#d.hasher.verify(await this.#dummy, cred.password);
      ok = false;
    }
    if (!ok || !user) {
      this.#d.limiter.fail(userKey);
      this.#d.limiter.fail(addrKey);
      throw unauthorized();
    }
    // A block may have started while this check ran (parallel guesses): a correct password is refused then too.
    const lateBlock = Math.max(this.#d.limiter.blockedFor(userKey), this.#d.limiter.blockedFor(addrKey));
    if (lateBlock) throw tooMany(lateBlock, 'user');
    this.#d.limiter.succeed(userKey);
    this.#d.cache.add(user.name, cred.password, user.hash);
    if (this.#d.onRehash && (await this.#d.hasher.needsRehash(user.hash))) this.#d.onRehash(user.name, cred.password);
    return { name: user.name, roles: user.roles, via: 'basic' };
  }
}
