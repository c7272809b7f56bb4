import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { VigilError } from '../../errors.ts';
import { isLocked } from './lock.ts';
import { ensurePrivateFile, restrictIfPresent } from './private-files.ts';

export const DB_FILE = 'vigil.db';

/**
 * Opens the state database in WAL mode. The caller holds the directory's lock (lock.ts) first, so the
 * only other connection is this process's checkpoint worker.
 */
export function openDatabase(dir: string): DatabaseSync {
  const path = join(dir, DB_FILE);
  // SQLite creates its files 0644 (less the umask); it gives the -wal and -shm files it creates later
  // the database file's own mode, so a private database keeps its companions private. Companions left
  // by an earlier run are narrowed here too.
  ensurePrivateFile(path);
  restrictIfPresent(`${path}-wal`);
  restrictIfPresent(`${path}-shm`);
  const db = new DatabaseSync(path);
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
    // We hold vigil.lock, so this is a daemon of an older version, which locked the database itself
    // (the pid file names this process now, so it is not quoted).
    if (isLocked(e)) throw new VigilError('STATE_LOCKED', `state database in ${dir} is locked by another process (a Vigil daemon of an older version?)`);
    throw e;
  }
  return db;
}
