import type { DatabaseSync } from 'node:sqlite';

/** Runs a synchronous write inside a shared, durable transaction; resolves once that transaction is committed. */
export type Batch = <T>(write: () => T) => Promise<T>;

/**
 * Group commit: writes requested in the same turn of the event loop share ONE transaction and so ONE
 * fsync (synchronous=FULL). Each write still resolves only after the COMMIT that made it durable, so
 * "durable before sent" holds; each runs in its own SAVEPOINT, so one failing write is rolled back and
 * rejected alone. Why: a commit's fsync blocks the main thread (~1.8 ms on the 2-core bench machine)
 * and a run with an action needs three; one transaction per write capped the daemon at ~215 runs/s
 * (bench S2, target 1 000/s).
 */
export function groupCommitter(db: DatabaseSync): Batch {
  let queue: Array<{ write: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];

  const flush = () => {
    const jobs = queue;
    queue = [];
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      for (const j of jobs) j.reject(e);
      return;
    }
    for (const j of jobs) {
      db.exec('SAVEPOINT w');
      try {
        results.push({ ok: true, value: j.write() });
        db.exec('RELEASE w');
      } catch (e) {
        db.exec('ROLLBACK TO w');
        db.exec('RELEASE w');
        results.push({ ok: false, error: e });
      }
    }
    try {
      db.exec('COMMIT');
    } catch (e) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // The failed COMMIT already ended the transaction.
      }
      for (const j of jobs) j.reject(e);
      return;
    }
    jobs.forEach((j, i) => {
      const r = results[i]!;
      if (r.ok) j.resolve(r.value);
      else j.reject(r.error);
    });
  };

  return <T>(write: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      // setImmediate: after this turn's I/O callbacks and microtasks, so every write they request joins.
      if (queue.length === 0) setImmediate(flush);
      queue.push({ write, resolve: resolve as (v: unknown) => void, reject });
    });
}
