import { DatabaseSync } from 'node:sqlite';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../../errors.ts';

export const DB_FILE = 'vigil.db';
const PID_FILE = 'vigil.pid';

/**
 * Opens the state database and takes the single-writer lock.
 *
 * The lock is SQLite's own exclusive file lock (`locking_mode=EXCLUSIVE` plus an immediate exclusive
 * transaction): the kernel drops it when the process dies, so a daemon killed with SIGKILL never leaves
 * a stale lock behind, while a second live daemon on the same directory fails at once. The pid file only
 * makes the error message useful.
 */
export function openDatabase(dir: string): DatabaseSync {
  mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(join(dir, DB_FILE));
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // NORMAL: a COMMIT is not fsync'd on the main thread; WalSync fsyncs the WAL on the thread pool and
    // every writer waits for it before acting on the write (the outbox: durable before sent).
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (e) {
    db.close();
    if (/locked|busy/i.test(String((e as Error).message))) {
      let pid = 'unknown';
      try {
        pid = readFileSync(join(dir, PID_FILE), 'utf8').trim() || pid;
      } catch {
        // No pid file: the other holder is starting up.
      }
      throw new VigilError('STATE_LOCKED', `state directory ${dir} is locked by pid ${pid} (another Vigil daemon is using it)`);
    }
    throw e;
  }
  writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
  return db;
}

export function releaseLock(dir: string): void {
  try {
    const pid = readFileSync(join(dir, PID_FILE), 'utf8').trim();
    if (pid === String(process.pid)) rmSync(join(dir, PID_FILE), { force: true });
  } catch {
    // Already gone.
  }
}
