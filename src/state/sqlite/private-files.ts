/**
 * The state folder holds the outbox (rendered notifications, with whatever credentials a watch wrote
 * inline), the watch log and the API's users and tokens: only the daemon's own user may read it. Modes
 * are set with chmod rather than through open()/mkdir() alone, because those are narrowed by the umask
 * but never widened by it, and a file left from an earlier run keeps whatever mode it had.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/** rwx for the owner only. */
export const PRIVATE_DIR_MODE = 0o700;
/** rw for the owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) for the owner only. An existing folder keeps its mode: the
 * operator may have opened it to a backup group on purpose; the files in it are private regardless.
 */
export function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `path` empty if it does not exist, and makes it owner-only either way. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Makes `path` owner-only if it exists (SQLite's -wal and -shm files come and go). */
export function restrictIfPresent(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
