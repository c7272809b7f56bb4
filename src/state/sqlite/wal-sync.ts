import { closeSync, fdatasync, openSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

type Waiter = { resolve: () => void; reject: (e: unknown) => void };

/**
 * Makes committed transactions durable without blocking the event loop.
 *
 * The database runs with `synchronous=NORMAL`: a COMMIT writes its WAL frames to the OS but does not
 * fsync them. This class then `fdatasync`s the WAL file on the libuv thread pool, and `sync()` resolves
 * only once every transaction committed before the call is on disk. Callers (the group commit, the API's
 * response hook) wait for it before they act on a write — nothing is sent, and no 200 is returned, for a
 * change a power loss could still take back. So the guarantee is synchronous=FULL's, but the fsync runs
 * off the main thread (FULL spends it on the loop, once per group, which caps the daemon's run rate).
 * SQLite's own checkpoints still fsync the WAL before copying it into the database
 * and the database after, so the database file itself is never ahead of a synced WAL.
 *
 * Concurrent calls share fsyncs: while one is in flight, later callers wait for the next, which then
 * covers all of them. A failed fsync fails every waiter and every later call (after a failed fsync the
 * kernel may have dropped the dirty pages, so a later "successful" fsync proves nothing).
 */
export class WalSync {
  readonly #path: string;
  readonly #changes: StatementSync;
  #fd: number | null = null;
  /** total_changes() when the last fsync started; -1 forces the first sync. */
  #syncedChanges = -1;
  #inFlight = false;
  #waiting: Waiter[] = [];
  /** Callers whose writes the fsync in flight already covers. */
  #riding: Waiter[] = [];
  #broken: Error | null = null;

  readonly #fdatasync: typeof fdatasync;

  /** `fsync` is replaceable for tests of the failure path. */
  constructor(db: DatabaseSync, walPath: string, fsync: typeof fdatasync = fdatasync) {
    this.#path = walPath;
    this.#fdatasync = fsync;
    // Counts rows written by this connection: when it has not moved since the last fsync began, there is
    // nothing new to make durable (a GET on the API must not cost an fsync).
    this.#changes = db.prepare('SELECT total_changes() AS n');
  }

  /** Resolves when every transaction committed before this call is durable. */
  sync(): Promise<void> {
    if (this.#broken) return Promise.reject(this.#broken);
    const changes = this.#currentChanges();
    if (changes === this.#syncedChanges) {
      // Nothing new since the last fsync began: done, or ride along with the one in flight.
      if (!this.#inFlight) return Promise.resolve();
      return new Promise<void>((resolve, reject) => this.#riding.push({ resolve, reject }));
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#kick();
    });
  }

  /** Waits for the fsync in flight, then releases the file. */
  async close(): Promise<void> {
    await this.sync().catch(() => {});
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #currentChanges(): number {
    return Number((this.#changes.get() as { n: number | bigint }).n);
  }

  #kick(): void {
    if (this.#inFlight || this.#waiting.length === 0) return;
    const waiters = this.#waiting;
    this.#waiting = [];
    let fd: number | null;
    try {
      fd = this.#open();
    } catch (e) {
      this.#broken = new Error(`state store: cannot open the write-ahead log: ${(e as Error).message}`);
      for (const w of waiters) w.reject(this.#broken);
      return;
    }
    if (fd === null) {
      // No WAL file yet: nothing was ever committed to it.
      for (const w of waiters) w.resolve();
      return;
    }
    this.#inFlight = true;
    this.#syncedChanges = this.#currentChanges();
    this.#fdatasync(fd, (err) => {
      this.#inFlight = false;
      if (err) this.#broken = new Error(`state store: fsync of the write-ahead log failed: ${err.message}`);
      const done = [...waiters, ...this.#riding];
      this.#riding = [];
      for (const w of done) (this.#broken ? w.reject(this.#broken) : w.resolve());
      this.#kick();
    });
  }
  #open(): number | null {
    if (this.#fd !== null) return this.#fd;
    try {
      // SQLite keeps this file (same inode) for the connection's life: checkpoints rewind it, never replace it.
      this.#fd = openSync(this.#path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return this.#fd;
  }
}
