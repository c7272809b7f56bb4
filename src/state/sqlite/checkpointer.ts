import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import type { CheckpointReport, CheckpointRequest } from './checkpoint-worker.ts';

/** SQLite's own default, restored on the main connection if the worker is lost. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * Keeps the state database's write-ahead log short without blocking the event loop.
 *
 * SQLite checkpoints inside the COMMIT that crosses 1 000 WAL pages, on the committing thread: it copies
 * the pages into the database and fsyncs both files. Bench S2 (1 000 runs/s) measured that as the
 * daemon's longest stalls (event-loop maxima 28–67 ms with it, 21–28 ms with it switched off). So the
 * main connection's auto-checkpoint is off and a worker thread checkpoints on its own connection
 * instead, PASSIVE (never blocking the writer), at most once per `intervalMs` after writes. The writer
 * still rewinds the WAL once a checkpoint has copied all of it, as with auto-checkpoints.
 *
 * The worker starts with the first write (a store that is only read never starts one). If it fails or
 * exits unexpectedly, the main connection's auto-checkpoint is switched back on: stalls, not a WAL that
 * grows without end.
 */
export class Checkpointer {
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #onReport: (r: CheckpointReport) => void;
  #worker: Worker | null = null;
  /** A request is with the worker; no other is sent until its report comes back. */
  #requested = false;
  #lost = false;
  #closed = false;

  constructor(db: DatabaseSync, path: string, opts: { intervalMs?: number; onReport?: (r: CheckpointReport) => void } = {}) {
    this.#db = db;
    this.#path = path;
    this.#intervalMs = opts.intervalMs ?? 1000;
    this.#onReport = opts.onReport ?? (() => {});
    db.exec('PRAGMA wal_autocheckpoint = 0');
  }

  /** Something was committed: checkpoint soon. Cheap enough to call after every write. */
  nudge(): void {
    if (this.#requested || this.#lost || this.#closed) return;
    this.#requested = true;
    this.#post('checkpoint');
  }

  /** Stops the worker and closes its connection (before the main connection closes, which is then the last). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const w = this.#worker;
    if (!w || this.#lost) return;
    const exited = once(w, 'exit');
    // Unreferenced, the worker would not keep the process alive while we wait: it would end mid-close.
    w.ref();
    w.postMessage('stop' satisfies CheckpointRequest);
    await exited;
  }

  #post(m: CheckpointRequest): void {
    this.#worker ??= this.#start();
    this.#worker.postMessage(m);
  }

  #start(): Worker {
    const w = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
      workerData: { path: this.#path, intervalMs: this.#intervalMs },
    });
    // An idle store must not keep the process alive (CLI commands, tests); close() still waits for it.
    w.unref();
    w.on('message', (r: CheckpointReport) => {
      this.#requested = false;
      if (r.ok) this.#onReport(r);
      else this.#lose(r.error);
    });
    w.on('error', (e) => this.#lose(e.message));
    w.on('exit', (code) => this.#lose(`exited with code ${code}`));
    return w;
  }

  #lose(why: string): void {
    if (this.#lost || this.#closed) return;
    this.#lost = true;
    this.#onReport({ ok: false, error: `checkpoint worker failed (${why}); checkpointing on the main connection again` });
    void this.#worker?.terminate();
    try {
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    } catch {
      // The database is closing.
    }
  }
}
