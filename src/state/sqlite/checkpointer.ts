import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';

/** To the worker (checkpoint-worker.mjs): 'checkpoint' runs one now; 'stop' closes and exits. */
export type CheckpointRequest = 'checkpoint' | 'stop';
/** From the worker. `log`: frames in the WAL; `checkpointed`: frames now in the database; `busy`: 1 when it could not finish. */
export type CheckpointReport =
  | { ok: true; busy: number; log: number; checkpointed: number; ms: number }
  | { ok: false; error: string };

/** SQLite's own default, restored on the main connection if the worker is lost. */
const AUTO_CHECKPOINT_PAGES = 1000;
/** Commits held for a checkpoint go on after this even if it has not reported (a stuck disk). */
const HOLD_LIMIT_MS = 1000;
/**
 * Writes the last checkpoint did not cover get one this long after it is due even if no further write
 * comes (an idle daemon). Longer than a group commit's pace, so that under load the group committer,
 * which holds its next group for it, starts every checkpoint.
 */
const IDLE_GRACE_MS = 250;

/**
 * Keeps the state database's write-ahead log short without blocking the event loop.
 *
 * SQLite checkpoints inside the COMMIT that crosses 1 000 WAL pages, on the committing thread: it copies
 * the pages into the database and fsyncs both files: under load, the daemon's longest event-loop
 * stalls. So the
 * main connection's auto-checkpoint is off and a worker thread checkpoints on its own connection
 * instead, PASSIVE (it never blocks the writer), at most once per `intervalMs`, after writes.
 *
 * The writer rewinds the WAL to its start only when a checkpoint has copied all of it; a PASSIVE
 * checkpoint with commits landing meanwhile never has, and under steady load the WAL then grows to
 * tens of megabytes between rewinds. So `afterWrite()` hands the group committer a promise to hold its
 * next group for (a few tens of milliseconds, about once a second); other writers ignore it.
 *
 * The worker starts with the first checkpoint (a store that is only read never starts one). If it fails
 * or exits unexpectedly, the main connection's auto-checkpoint is switched back on: stalls, not a WAL
 * that grows without end.
 */
export class Checkpointer {
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #onReport: (r: CheckpointReport) => void;
  #worker: Worker | null = null;
  /** The checkpoint in flight: `promise` resolves when its report (or the worker's loss) arrives, or after HOLD_LIMIT_MS. */
  #running: { promise: Promise<void>; done: () => void; timer: NodeJS.Timeout } | null = null;
  #lastStart = -Infinity;
  /** Written since the last checkpoint started. */
  #dirty = false;
  #idleTimer: NodeJS.Timeout | null = null;
  #lost = false;
  #closed = false;

  constructor(db: DatabaseSync, path: string, opts: { intervalMs?: number; onReport?: (r: CheckpointReport) => void } = {}) {
    this.#db = db;
    this.#path = path;
    this.#intervalMs = opts.intervalMs ?? 1000;
    this.#onReport = opts.onReport ?? (() => {});
    db.exec('PRAGMA wal_autocheckpoint = 0');
  }

  /**
   * Something was committed. Starts a checkpoint when one is due; returns the one in flight (hold
   * further commits until it settles for it to copy the whole WAL), or null. Cheap enough after every
   * write. A write the next checkpoint is not due for yet gets one at most `intervalMs` + IDLE_GRACE_MS
   * later, written or not.
   */
  afterWrite(): Promise<void> | null {
    if (this.#lost || this.#closed) return null;
    if (this.#running || performance.now() - this.#lastStart < this.#intervalMs) {
      this.#dirty = true;
      this.#idleTimer ??= this.#armIdle();
      return this.#running?.promise ?? null;
    }
    return this.#begin();
  }

  #armIdle(): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.#idleTimer = null;
      if (!this.#dirty || this.#lost || this.#closed) return;
      // Still not due, or one in flight: look again later (under load a group commit starts it first).
      if (this.#running || performance.now() - this.#lastStart < this.#intervalMs + IDLE_GRACE_MS) this.#idleTimer = this.#armIdle();
      else void this.#begin();
    }, Math.max(IDLE_GRACE_MS, this.#lastStart + this.#intervalMs + IDLE_GRACE_MS - performance.now()));
    // An idle store must not keep the process alive; close() checkpoints whatever is left.
    t.unref();
    return t;
  }

  #begin(): Promise<void> {
    this.#lastStart = performance.now();
    this.#dirty = false;
    let done!: () => void;
    const promise = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(done, HOLD_LIMIT_MS);
    // Never keeps the process alive: the worker's report, or its loss, settles the checkpoint.
    timer.unref();
    this.#running = { promise, done, timer };
    this.#worker ??= this.#start();
    this.#worker.postMessage('checkpoint' satisfies CheckpointRequest);
    return promise;
  }

  /** Stops the worker and closes its connection (before the main connection closes, which is then the last). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const w = this.#worker;
    if (!w || this.#lost) return this.#settle();
    const exited = once(w, 'exit');
    // Unreferenced, the worker would not keep the process alive while we wait: it would end mid-close.
    w.ref();
    w.postMessage('stop' satisfies CheckpointRequest);
    await exited;
    this.#settle();
  }

  #start(): Worker {
    const w = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { path: this.#path } });
    // An idle store must not keep the process alive (CLI commands, tests); close() still waits for it.
    w.unref();
    w.on('message', (r: CheckpointReport) => {
      if (r.ok) this.#onReport(r);
      else this.#lose(r.error);
      this.#settle();
    });
    w.on('error', (e) => this.#lose(e.message));
    w.on('exit', (code) => this.#lose(`exited with code ${code}`));
    return w;
  }

  #settle(): void {
    const r = this.#running;
    this.#running = null;
    if (r) clearTimeout(r.timer);
    r?.done();
  }

  #lose(why: string): void {
    if (this.#lost || this.#closed) return;
    this.#lost = true;
    this.#settle();
    this.#onReport({ ok: false, error: `checkpoint worker failed (${why}); checkpointing on the main connection again` });
    void this.#worker?.terminate();
    try {
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    } catch {
      // The database is closing.
    }
  }
}
