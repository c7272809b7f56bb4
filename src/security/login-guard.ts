/**
 * Who may try a password now, and when a client address has failed too often. After OpenSearch
 * Security's `auth_failure_listeners` and Kibana's login throttling, arranged so that no client can
 * lock out everyone else:
 *
 * - per (user name, client address): `userAddress.maxFailures` wrong passwords within the window block
 *   that pair. The same name from another address is unaffected, so guessing a user's password never
 *   locks that user out elsewhere.
 * - per client address, password guesses: `address.maxFailures` wrong passwords for any names block
 *   password logins from that address (spraying many names from one place).
 * - per client address, failed requests: `addressRequests.maxFailures` failures of any kind (missing or
 *   malformed credentials, invalid tokens, wrong passwords, refusals) make the address's failing
 *   requests answered 429 and summed in the audit log instead of a row each (floods). They do not
 *   block password logins: an anonymous scanner sharing an address does not lock its users out.
 * - concurrent hashes per user name and per address: a guess beyond either cap is refused without
 *   hashing, so parallel guesses cannot queue up Argon2id work.
 *
 * A valid API token is checked before all of these and always passes. Every refusal of a guess happens
 * before the password is looked at, so it reads the same whether the password was right or wrong. IPv6
 * clients are keyed by their /64, the block a single subscriber usually holds.
 */
import type { Clock } from '../clock.ts';
import { ipv6Bytes } from '../net/ip.ts';
import { FailureLimiter } from './limiter.ts';

export interface WindowOptions {
  maxFailures?: number;
  windowMs?: number;
  blockMs?: number;
}

export interface LoginGuardOptions {
  /** Wrong passwords per (user, address). Default 5 in 60 s → blocked 60 s. */
  userAddress?: WindowOptions;
  /** Wrong passwords per address, any user. Default 20 in 60 s → blocked 60 s. */
  address?: WindowOptions;
  /** Failed requests of any kind per address. Default 100 in 60 s → answered 429 for 60 s. */
  addressRequests?: WindowOptions;
  /** Keys tracked by each limiter. Default 100 000. */
  maxKeys?: number;
  /** Password hashes in flight for one user name, from anywhere. Default 2. */
  maxHashesPerUser?: number;
  /** Password hashes in flight for one client address, any user. Default 4. */
  maxHashesPerAddress?: number;
}

/**
 * A refusal: `blocked` (over a failure limit) or `busy` (a concurrency cap, or tries left all in
 * flight), and which limit: the (user, address) pair, the address's guesses or its failed requests.
 */
export interface Refusal {
  reason: 'blocked' | 'busy';
  limit: 'user' | 'address' | 'requests';
  retryMs: number;
}

/** An admitted guess; settle it exactly once with its outcome. */
export interface GuessTicket {
  settle(outcome: 'right' | 'wrong' | 'void'): void;
}

const BUSY_RETRY_MS = 1_000;

/** The limiter key of a client address: IPv4 as is, IPv6 by its /64 (IPv4-mapped IPv6 as IPv4). */
export function clientKey(ip: string): string {
  const b = ipv6Bytes(ip);
  if (!b) return ip;
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return `${groups.join(':')}::/64`;
}

export class LoginGuard {
  readonly pairs: FailureLimiter;
  readonly addresses: FailureLimiter;
  readonly requests: FailureLimiter;
  readonly maxHashesPerUser: number;
  readonly maxHashesPerAddress: number;
  readonly #hashesPerUser = new Map<string, number>();
  readonly #hashesPerAddress = new Map<string, number>();

  constructor(o: LoginGuardOptions & { clock: Clock }) {
    const maxKeys = o.maxKeys ?? 100_000;
    this.pairs = new FailureLimiter({ maxFailures: 5, ...o.userAddress, maxKeys, clock: o.clock });
    this.addresses = new FailureLimiter({ maxFailures: 20, ...o.address, maxKeys, clock: o.clock });
    this.requests = new FailureLimiter({ maxFailures: 100, ...o.addressRequests, maxKeys, clock: o.clock });
    this.maxHashesPerUser = o.maxHashesPerUser ?? 2;
    this.maxHashesPerAddress = o.maxHashesPerAddress ?? 4;
  }

  /** Keys tracked by the limiters. */
  get size(): number {
    return this.pairs.size + this.addresses.size + this.requests.size;
  }

  /**
   * Why a password guess for `user` from `ip` would be refused as blocked right now, or null. For the
   * checks that must come before the login cache; `admitGuess` checks again.
   */
  blocked(user: string, ip: string): Refusal | null {
    const addr = clientKey(ip);
    const a = this.addresses.blockedFor(addr);
    if (a) return { reason: 'blocked', limit: 'address', retryMs: a };
    const p = this.pairs.blockedFor(pairKey(user, addr));
    return p ? { reason: 'blocked', limit: 'user', retryMs: p } : null;
  }

  /** Milliseconds the address `ip` stays over its failed-request limit; 0 when it is not. */
  requestsBlockedFor(ip: string): number {
    return this.requests.blockedFor(clientKey(ip));
  }

  /** Counts a failed request against its address (anything not authenticated, except an admitted guess). */
  failedRequest(ip: string): void {
    this.requests.fail(clientKey(ip));
  }

  /**
   * Admits a password guess for `user` from `ip`, or says why not. Looks at nothing but the limits:
   * the answer cannot depend on the password.
   */
  admitGuess(user: string, ip: string): GuessTicket | Refusal {
    const addr = clientKey(ip);
    const pair = pairKey(user, addr);
    for (const [limiter, key, limit] of [[this.addresses, addr, 'address'], [this.pairs, pair, 'user']] as const) {
      const blocked = limiter.blockedFor(key);
      if (blocked) return { reason: 'blocked', limit, retryMs: blocked };
      // Not blocked, but the tries left are taken by guesses still being checked.
      const wait = limiter.refusal(key);
      if (wait) return { reason: 'busy', limit, retryMs: wait };
    }
    const u = user.slice(0, 256);
    if ((this.#hashesPerUser.get(u) ?? 0) >= this.maxHashesPerUser) return { reason: 'busy', limit: 'user', retryMs: BUSY_RETRY_MS };
    if ((this.#hashesPerAddress.get(addr) ?? 0) >= this.maxHashesPerAddress) return { reason: 'busy', limit: 'address', retryMs: BUSY_RETRY_MS };
    this.pairs.admit(pair);
    this.addresses.admit(addr);
    bump(this.#hashesPerUser, u, 1);
    bump(this.#hashesPerAddress, addr, 1);
    let settled = false;
    return {
      settle: (outcome) => {
        if (settled) return;
        settled = true;
        bump(this.#hashesPerUser, u, -1);
        bump(this.#hashesPerAddress, addr, -1);
        if (outcome === 'wrong') {
          this.pairs.fail(pair, true);
          this.addresses.fail(addr, true);
          this.requests.fail(addr);
        } else if (outcome === 'right') {
          this.pairs.succeed(pair, true);
          // Other users' wrong passwords from this address still count.
          this.addresses.release(addr);
        } else {
          this.pairs.release(pair);
          this.addresses.release(addr);
        }
      },
    };
  }
}

function pairKey(user: string, addrKey: string): string {
  return `${user.slice(0, 256)}\u0000${addrKey}`;
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n > 0) m.set(k, n);
  else m.delete(k);
}
