/**
 * Durable file writes shared by every file store (accounts, watch files written by the API): temp file
 * in the same directory, fsync, rename, fsync the directory — a crash leaves the old or the new file,
 * never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes `data` to `path` atomically and durably. The temp file sits next to the target (rename is
 * atomic only within one file system), is created exclusively with mode 0600, and is removed if
 * anything fails before the rename.
 */
export async function writeFileAtomic(dir: string, name: string, data: string): Promise<void> {
  const tmp = join(dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
  const target = join(dir, name);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    renamed = true;
    await fsyncDir(dir);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
