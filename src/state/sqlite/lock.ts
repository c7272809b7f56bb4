import { DatabaseSync } from 'node:sqlite';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../../errors.ts';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE } from './private-files.ts';

const LOCK_FILE = 'vigil.lock';
const PID_FILE = 'vigil.pid';

/** The single-daemon lock on a data directory; `release()` drops it. */
export interface DirLock {
  release(): void;
}

/**
 * Takes the data directory's single-writer lock, or throws STATE_LOCKED naming the holder's pid.
 *
 * The lock is SQLite's exclusive file lock on a database of its own (`vigil.lock`, empty), held for the
 * process's life by `locking_mode=EXCLUSIVE` and an exclusive transaction: the kernel drops it when the
 * process dies, so a daemon killed with SIGKILL never leaves a stale lock, while a second live daemon
 * fails at once. It is not taken on the state database itself because that one must stay open to a
 * second connection: the checkpoint worker's (checkpointer.ts). The pid file only makes the error useful.
 */
export function lockDirectory(dir: string): DirLock {
  ensurePrivateDir(dir);
  // Created here rather than by SQLite, which would make it 0644 (less the umask).
  ensurePrivateFile(join(dir, LOCK_FILE));
  const db = new DatabaseSync(join(dir, LOCK_FILE));
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // Nothing is ever written here; MEMORY keeps a journal file from appearing beside it.
    db.exec('PRAGMA journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (e) {
    db.close();
    if (isLocked(e)) throw lockedError(dir);
    throw e;
  }
  writeFileSync(join(dir, PID_FILE), `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  chmodSync(join(dir, PID_FILE), PRIVATE_FILE_MODE);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      removeOwnPidFile(dir);
      db.close();
    },
  };
}

export function isLocked(e: unknown): boolean {
  return /locked|busy/i.test(String((e as Error)?.message));
}

function lockedError(dir: string): VigilError {
  let pid = 'unknown';
  try {
    pid = readFileSync(join(dir, PID_FILE), 'utf8').trim() || pid;
  } catch {
    // No pid file: the other holder is starting up.
  }
  return new VigilError('STATE_LOCKED', `state directory ${dir} is locked by pid ${pid} (another Vigil daemon is using it)`);
}

function removeOwnPidFile(dir: string): void {
  try {
    const pid = readFileSync(join(dir, PID_FILE), 'utf8').trim();
    if (pid === String(process.pid)) rmSync(join(dir, PID_FILE), { force: true });
  } catch {
    // Already gone.
  }
}
