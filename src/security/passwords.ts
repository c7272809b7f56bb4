/**
 * Argon2id password hashing (`crypto_pwhash_str`, PHC strings) on a small pool of worker threads.
 * The pool size is the concurrency cap: each hash holds 64 MiB, so two workers bound memory at about
 * 2 × 64 MiB however many logins arrive; callers beyond `maxQueue` waiting are refused at once
 * (TOO_MANY_REQUESTS) instead of piling up.
 */
import { Worker } from 'node:worker_threads';
import { VigilError } from '../errors.ts';
import { loadSodium } from '../accounts/sodium.ts';
import { Semaphore } from './semaphore.ts';
import type { PwJob, PwResult } from './pwhash-worker.ts';

/** Argon2id cost: 3 passes over 64 MiB (above OWASP's minimum and libsodium's INTERACTIVE). */
export const PWHASH_OPSLIMIT = 3;
export const PWHASH_MEMLIMIT = 64 * 1024 * 1024;

export interface PasswordHasherOptions {
  /** Concurrent hashes (= worker threads). Default 2. */
  concurrency?: number;
  /** Callers allowed to wait for a worker. Default 64. */
  maxQueue?: number;
  /** Default 3; lower values are refused. */
  opslimit?: number;
  /** Default 64 MiB; lower values are refused. */
  memlimit?: number;
}

type Job = PwJob extends infer J ? (J extends unknown ? Omit<J, 'id'> : never) : never;

class PwWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: string | boolean) => void; reject: (e: Error) => void }>();
  #seq = 0;

  constructor() {
    this.#worker = new Worker(new URL('./pwhash-worker.ts', import.meta.url));
    // An idle pool must not keep the process alive (CLI commands, tests).
    this.#worker.unref();
    this.#worker.on('message', (r: PwResult) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (r.ok) p?.resolve(r.value);
      else p?.reject(new VigilError('INTERNAL', `password hashing failed: ${r.error}`));
    });
    this.#worker.on('error', (e) => this.#failAll(e));
    this.#worker.on('exit', () => this.#failAll(new Error('password worker exited')));
  }

  run(job: Job): Promise<string | boolean> {
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...job, id });
    });
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(new VigilError('INTERNAL', `password hashing failed: ${e.message}`));
    this.#pending.clear();
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/** What authentication needs from a password hasher; {@link PasswordHasher} is the real one. */
export interface PasswordChecker {
  /** Hashes currently running. */
  readonly running: number;
  hash(password: string): Promise<string>;
  /** False for a wrong password; rejects with TOO_MANY_REQUESTS when the hasher is saturated. */
  verify(hash: string, password: string): Promise<boolean>;
  needsRehash(hash: string): Promise<boolean>;
  close(): Promise<void>;
}

export class PasswordHasher implements PasswordChecker {
  readonly opslimit: number;
  readonly memlimit: number;
  readonly #sem: Semaphore;
  readonly #size: number;
  readonly #idle: PwWorker[] = [];
  readonly #all: PwWorker[] = [];

  constructor(o: PasswordHasherOptions = {}) {
    this.opslimit = o.opslimit ?? PWHASH_OPSLIMIT;
    this.memlimit = o.memlimit ?? PWHASH_MEMLIMIT;
    if (this.opslimit < PWHASH_OPSLIMIT || this.memlimit < PWHASH_MEMLIMIT) {
      throw new VigilError('CONFIG_INVALID', 'Argon2id cost below 3 passes / 64 MiB is not allowed');
    }
    this.#size = o.concurrency ?? 2;
    this.#sem = new Semaphore(this.#size, o.maxQueue ?? 64);
  }

  /** Hashes currently running (never more than the concurrency). */
  get running(): number {
    return this.#sem.inUse;
  }

  hash(password: string): Promise<string> {
    return this.#run({ op: 'hash', password, opslimit: this.opslimit, memlimit: this.memlimit }) as Promise<string>;
  }

  /** Argon2id (libsodium, constant time) or bcrypt (`$2a$`/`$2b$`/`$2y$`, bcryptjs); false for a malformed hash. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.#run({ op: 'verify', hash, password }) as Promise<boolean>;
  }

  /**
   * True when `hash` was made with other parameters than this hasher's, or is not Argon2id at all (an
   * imported bcrypt hash): upgrade it after a successful login.
   */
  async needsRehash(hash: string): Promise<boolean> {
    if (!hash.startsWith('$argon2id$')) return true;
    const s = await loadSodium();
    try {
      return s.crypto_pwhash_str_needs_rehash(hash, this.opslimit, this.memlimit);
    } catch {
      return true;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.splice(0).map((w) => w.terminate()));
    this.#idle.length = 0;
  }

  async #run(job: Job): Promise<string | boolean> {
    const res = await this.#sem.tryRun(async () => {
      const w = this.#idle.pop() ?? this.#spawn();
      try {
        return await w.run(job);
      } finally {
        this.#idle.push(w);
      }
    });
    if (!res) {
      throw new VigilError('TOO_MANY_REQUESTS', 'too many password checks in progress; retry shortly', { retry_after: [{ error: 'busy', value: 1 }] });
    }
    return res.value;
  }

  #spawn(): PwWorker {
    const w = new PwWorker();
    this.#all.push(w);
    return w;
  }
}
