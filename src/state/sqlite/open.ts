import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { isLocked, lockedError } from './lock.ts';

export const DB_FILE = 'vigil.db';

/**
 * Opens the state database in WAL mode. The caller holds the directory's lock (lock.ts) first, so the
 * only other connection is this process's checkpoint worker.
 */
export function openDatabase(dir: string): DatabaseSync {
  const db = new DatabaseSync(join(dir, DB_FILE));
  try {
    // Nothing should ever contend (one daemon per directory; the checkpoint worker's PASSIVE checkpoints
    // never block a writer), so a wait here would only hide a bug — but a short one beats failing a run.
    db.exec('PRAGMA busy_timeout = 100');
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL: a COMMIT is not fsync'd on the main thread; WalSync fsyncs the WAL on the thread pool and
    // every writer waits for it before acting on the write (the outbox: durable before sent).
    db.exec('PRAGMA synchronous = NORMAL');
  } catch (e) {
    db.close();
    // A daemon of an older version holds the database itself exclusively.
    if (isLocked(e)) throw lockedError(dir);
    throw e;
  }
  return db;
}
