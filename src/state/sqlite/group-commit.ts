import type { DatabaseSync } from 'node:sqlite';

/** Runs a synchronous write inside a shared, durable transaction; resolves once that transaction is committed and on disk. */
export type Batch = <T>(write: () => T) => Promise<T>;

type Job = { write: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };
type Result = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Committers with writes queued or an fsync in flight (see `storeWritesPending`). */
const busy = new Set<object>();

/**
 * True while some group committer of this process has writes that are not yet durable. For tests that
 * drive time by hand: they wait for this, as they wait for pending file-system requests, before moving on.
 */
export function storeWritesPending(): boolean {
  return busy.size > 0;
}

/**
 * Group commit: queued writes share ONE transaction and ONE fsync. Each write resolves only after its
 * COMMIT is on disk (the WAL fsync'd by `wal`, off the main thread), so "durable before sent" holds; a
 * failing write is rolled back and rejected alone.
 *
 * Groups are paced: a group is committed on the next turn of the event loop when the daemon is quiet,
 * but never while an fsync is in flight, and at most one every `paceMs` — under load each group carries
 * everything written meanwhile. Why: every COMMIT costs a write per page and every fsync kernel CPU
 * plus a thread-pool wake-up; unpaced, a busy daemon spends a large share of its CPU on groups of a few
 * writes each, and the 50 ms default costs less CPU a run than shorter paces (bench/README.md has the
 * figures). The cost is latency: under
 * load a write waits up to `paceMs` more before it is durable (and its notification sent).
 */
export function groupCommitter(
  db: DatabaseSync,
  wal: { sync(): Promise<void> },
  paceMs = 0,
  /** Called after any rollback of a group's transaction, for caches of what the writes wrote (watch-state.ts). */
  onRollback: () => void = () => {},
  /**
   * Called once a group is durable; a promise it returns holds the next group until it settles (the
   * checkpointer's, so that a checkpoint can copy the whole WAL: checkpointer.ts).
   */
  afterGroup: () => Promise<void> | null = () => null,
): Batch {
  const self = {};
  let queue: Job[] = [];
  let scheduled = false;
  /** A group is in flight: its fsync, then any checkpoint it is held for. */
  let syncing = false;
  let lastGroupAt = -Infinity;

  const schedule = () => {
    if (queue.length === 0 && !syncing) busy.delete(self);
    if (scheduled || syncing || queue.length === 0) return;
    scheduled = true;
    const wait = lastGroupAt + paceMs - performance.now();
    // setImmediate: after this turn's I/O callbacks and microtasks, so every write they request joins.
    if (wait > 0) setTimeout(flush, wait);
    else setImmediate(flush);
  };

  const flush = () => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    lastGroupAt = performance.now();
    let results: Result[];
    try {
      results = commit(db, jobs, onRollback);
    } catch (e) {
      // The transaction itself failed (BEGIN, COMMIT, a closed database): every write of the group with it.
      for (const j of jobs) j.reject(e);
      return schedule();
    }
    syncing = true;
    const settle = (failure: unknown) => {
      jobs.forEach((j, i) => {
        const r = results[i]!;
        if (failure !== undefined) j.reject(failure);
        else if (r.ok) j.resolve(r.value);
        else j.reject(r.error);
      });
      const hold = afterGroup();
      if (hold) return void hold.then(resume);
      resume();
    };
    const resume = () => {
      syncing = false;
      schedule();
    };
    wal.sync().then(() => settle(undefined), (e: unknown) => settle(e ?? new Error('fsync failed')));
  };

  return <T>(write: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ write, resolve: resolve as (v: unknown) => void, reject });
      busy.add(self);
      schedule();
    });
}

/**
 * Runs the jobs in one transaction and returns each write's outcome; throws when the transaction itself
 * fails. Fast path without savepoints (three statements fewer per write, which counts at ~1 500 writes/s);
 * when a write throws, the transaction is rolled back and redone with one savepoint per write, so only
 * the failing write is rejected. Writes are plain synchronous SQL, so running one twice is harmless.
 */
function commit(db: DatabaseSync, jobs: Job[], onRollback: () => void): Result[] {
  const tx = statements(db);
  tx.begin.run();
  let results: Result[] | null = [];
  for (const j of jobs) {
    try {
      results.push({ ok: true, value: j.write() });
    } catch {
      results = null;
      break;
    }
  }
  if (!results) {
    tx.rollback.run();
    onRollback();
    tx.begin.run();
    results = jobs.map((j) => {
      tx.savepoint.run();
      try {
        const value = j.write();
        tx.release.run();
        return { ok: true, value };
      } catch (error) {
        tx.rollbackTo.run();
        tx.release.run();
        onRollback();
        return { ok: false, error };
      }
    });
  }
  try {
    tx.commit.run();
  } catch (e) {
    try {
      tx.rollback.run();
    } catch {
      // The failed COMMIT already ended the transaction.
    }
    onRollback();
    throw e;
  }
  return results;
}

/** Prepared once per database: `exec` would parse the SQL text on every call. */
const prepared = new WeakMap<DatabaseSync, ReturnType<typeof prepare>>();
function statements(db: DatabaseSync) {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepare(db)));
  return s;
}
function prepare(db: DatabaseSync) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT w'),
    release: db.prepare('RELEASE w'),
    rollbackTo: db.prepare('ROLLBACK TO w'),
  };
}
