/**
 * A password hasher for concurrency tests: every `verify` goes through the real hasher it wraps, but
 * while the gate is held it waits at the gate first. Tests hold the gate, fire requests, wait until the
 * expected number of checks has arrived (an event, not a sleep), assert, then open the gate.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordChecker } from '../../src/security/passwords.ts';

export class GatedHasher implements PasswordChecker {
  readonly #inner: PasswordChecker;
  #held = false;
  #waiting: Array<() => void> = [];
  #arrivals: Array<{ n: number; resolve: () => void }> = [];
  /** Passwords of every verify call, in arrival order (test-only: these are test passwords). */
  readonly verified: string[] = [];
  /** Most verify calls in flight at once. */
  maxInFlight = 0;
  #inFlight = 0;

  constructor(inner: PasswordChecker) {
    this.#inner = inner;
  }

  get running(): number {
    return this.#inner.running;
  }

  /** Verify calls waiting at the gate. */
  get atGate(): number {
    return this.#waiting.length;
  }

  hold(): void {
    this.#held = true;
  }

  /** Lets every waiting check through and stops holding new ones. */
  open(): void {
    this.#held = false;
    for (const go of this.#waiting.splice(0)) go();
  }

  /** Resolves once `n` checks have been called in total. */
  arrived(n: number): Promise<void> {
    if (this.verified.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#arrivals.push({ n, resolve }));
  }

  hash(password: string): Promise<string> {
    return this.#inner.hash(password);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.verified.push(password);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.#inFlight);
    this.#arrivals = this.#arrivals.filter((a) => (a.n <= this.verified.length ? (a.resolve(), false) : true));
    try {
      if (this.#held) await new Promise<void>((go) => this.#waiting.push(go));
      return await this.#inner.verify(hash, password);
    } finally {
      this.#inFlight--;
    }
  }

  needsRehash(hash: string): Promise<boolean> {
    return this.#inner.needsRehash(hash);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * A quick stand-in for Argon2id in tests about limits rather than hashing: salted SHA-256 stored as
 * `$test-sha256$salt$digest`. Wrong passwords are refused, right ones accepted, as with the real pool.
 */
export class QuickHasher implements PasswordChecker {
  readonly running = 0;

  async hash(password: string): Promise<string> {
    const salt = randomBytes(8).toString('hex');
    return `$test-sha256$${salt}$${digest(salt, password)}`;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    const [, kind, salt, want] = hash.split('$');
    if (kind !== 'test-sha256' || !salt || !want) return false;
    return timingSafeEqual(Buffer.from(want, 'hex'), Buffer.from(digest(salt, password), 'hex'));
  }

  async needsRehash(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}
}

const digest = (salt: string, password: string) => createHash('sha256').update(salt).update('\0').update(password).digest('hex');
