import { fdatasync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { WalSync } from '../../src/state/sqlite/wal-sync.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-wal-');

function open() {
  const dir = tempDir();
  const db = new DatabaseSync(join(dir, 'x.db'));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('CREATE TABLE t (v TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  return { db, insert, walPath: join(dir, 'x.db-wal') };
}

/** Counts the fsyncs WalSync asks for; each completes when the test says so. */
function countingFsync() {
  const calls: Array<(err: NodeJS.ErrnoException | null) => void> = [];
  const fsync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    calls.push(cb);
    void fd;
  }) as typeof fdatasync;
  return { calls, fsync };
}

/** A WalSync over a fresh database whose fsyncs wait for the test (`calls[i](err)` completes the i-th). */
function openHeld() {
  const { db, insert, walPath } = open();
  const f = countingFsync();
  const wal = new WalSync(db, walPath, f.fsync);
  const close = async () => {
    await wal.close();
    db.close();
  };
  return { insert, wal, calls: f.calls, close };
}

describe('WalSync', () => {
  it('fsyncs the real WAL file after a write, and not at all when nothing was written since', async () => {
    const { db, insert, walPath } = open();
    let n = 0;
    const wal = new WalSync(db, walPath, ((fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
      n++;
      fdatasync(fd, cb);
    }) as typeof fdatasync);
    insert.run('a');
    await wal.sync();
    expect(n).toBe(1);
    await wal.sync();
    await wal.sync();
    expect(n).toBe(1);
    insert.run('b');
    await wal.sync();
    expect(n).toBe(2);
    await wal.close();
    db.close();
  });

  it('callers during an fsync share the next one; callers with nothing new ride along with the one in flight', async () => {
    const { insert, wal, calls, close } = openHeld();
    insert.run('a');
    const first = wal.sync();
    const riding = wal.sync(); // nothing written since the first fsync began
    insert.run('b');
    const second = wal.sync();
    insert.run('c');
    const third = wal.sync();
    expect(calls).toHaveLength(1);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    calls[0]!(null);
    await first;
    await riding;
    expect(secondDone).toBe(false);
    expect(calls).toHaveLength(2); // one fsync for both later writers
    calls[1]!(null);
    await Promise.all([second, third]);
    await close();
  });

  it('a failed fsync fails its waiters and every later sync (the kernel may have dropped the pages)', async () => {
    const { insert, wal, calls, close } = openHeld();
    insert.run('a');
    const p = wal.sync();
    calls[0]!(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(p).rejects.toThrow(/fsync of the write-ahead log failed: EIO/);
    insert.run('b');
    await expect(wal.sync()).rejects.toThrow(/EIO/);
    await close();
  });
});
