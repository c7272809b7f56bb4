import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { Checkpointer, type CheckpointReport } from '../../src/state/sqlite/checkpointer.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-ckpt-');

/** Collects reports; `next()` resolves with the next one to arrive. */
function reports() {
  const seen: CheckpointReport[] = [];
  let wake: ((r: CheckpointReport) => void) | null = null;
  return {
    seen,
    on: (r: CheckpointReport) => {
      seen.push(r);
      wake?.(r);
      wake = null;
    },
    next: () => new Promise<CheckpointReport>((resolve) => (wake = resolve)),
  };
}

const walSize = (dir: string) => statSync(join(dir, 'vigil.db-wal')).size;

describe('Checkpointer', () => {
  it('checkpoints from its worker, so the WAL stays short while the main connection never checkpoints', async () => {
    const dir = tempDir();
    const r = reports();
    const store = new SqliteStateStore(dir, { checkpointIntervalMs: 0, onCheckpoint: r.on });
    // The main connection's auto-checkpoint (which would run inside a COMMIT on the event loop) is off.
    expect((store.db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint).toBe(0);
    const big = 'x'.repeat(4000);
    let largest = 0;
    let firstRound = 0;
    // Without checkpoints the WAL would only grow: 12 rounds, 12 times the first round's size.
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 120; i++) await store.kv.put(`k${round}-${i}`, big);
      largest = Math.max(largest, walSize(dir));
      if (round === 0) firstRound = walSize(dir);
      // Checkpoints run while the round writes; wait for one that copies the whole WAL.
      for (;;) {
        const next = r.next();
        await store.durable();
        const report = await next;
        expect(report).toMatchObject({ ok: true, busy: 0 });
        if (report.ok && report.checkpointed === report.log) break;
      }
    }
    // Rewound after complete checkpoints: the file never held all twelve rounds (measured 1.1-2.1 times
    // the first on an idle machine; a starved worker — it runs at the lowest priority — can let a few rounds
    // pile up while commits go on past the hold limit, up to about 8 on a machine loaded by other work).
    expect(largest).toBeLessThan(11 * firstRound);
    expect(await store.kv.get('k0-0')).toBe(big);
    await store.close();
    // The worker's connection closed first, so the main one closed last and removed the WAL.
    expect(existsSync(join(dir, 'vigil.db-wal'))).toBe(false);
    const reopened = new SqliteStateStore(dir);
    expect(await reopened.kv.get('k11-119')).toBe(big);
    await reopened.close();
  });

  it('holds group commits while a checkpoint runs, so that each one copies the whole WAL and the WAL rewinds', async () => {
    const dir = tempDir();
    const r = reports();
    const store = new SqliteStateStore(dir, { checkpointIntervalMs: 0, commitPaceMs: 0, onCheckpoint: r.on });
    const detail = 'd'.repeat(3000);
    const record = (i: number) => ({
      id: `run-${i}`, tenant: '_main', watch_id: `w${i % 50}`, watch_version: 'v', status: { code: 'NO_ACTION' as const, detail },
      execution_start: 'x', execution_end: 'x', actions: [], resolve_actions: [], node: 'n',
    });
    // 20 writers, each committing as soon as its last commit is durable: commits are always waiting.
    let next = 0;
    let largest = 0;
    const writer = async () => {
      while (next < 3000) {
        await store.commit({ log: record(next++) });
        largest = Math.max(largest, walSize(dir));
      }
    };
    await Promise.all(Array.from({ length: 20 }, writer));
    expect(r.seen.length).toBeGreaterThan(10);
    expect(r.seen.every((x) => x.ok && x.busy === 0 && x.checkpointed === x.log)).toBe(true);
    // ~10 MB written in all. Measured: ~160 KB at most; 9.5-18 MB with the groups not held (the WAL
    // then rewinds only when a checkpoint happens to see no commit).
    expect(largest).toBeLessThan(1024 * 1024);
    await store.close();
  });

  it('checkpoints a write made between two checkpoints even when no further write comes', async () => {
    const dir = tempDir();
    const r = reports();
    const store = new SqliteStateStore(dir, { checkpointIntervalMs: 200, onCheckpoint: r.on });
    const first = r.next();
    await store.kv.put('a', 1);
    await first;
    const second = r.next();
    // Not due yet: no checkpoint now, one later, without another write.
    await store.kv.put('b', 2);
    expect(r.seen).toHaveLength(1);
    expect(await second).toMatchObject({ ok: true, busy: 0 });
    expect(r.seen).toHaveLength(2);
    await store.close();
  });

  it.runIf(process.platform === 'linux')('runs its worker thread at the lowest CPU priority, the event loop at the normal one', async () => {
    const r = reports();
    const store = new SqliteStateStore(tempDir(), { checkpointIntervalMs: 0, onCheckpoint: r.on });
    const first = r.next();
    await store.kv.put('a', 1);
    await first;
    // /proc/self/task/<tid>/stat: field 19 is the nice value (fields counted after the parenthesised name).
    const nice = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const tids = readdirSync('/proc/self/task');
    expect(tids.filter((t) => nice(t) === 19)).toHaveLength(1);
    expect(nice(String(process.pid))).toBeLessThan(19);
    await store.close();
  });

  it('switches the main connection back to auto-checkpoints when its worker fails', async () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'x.db'));
    db.exec('PRAGMA journal_mode = WAL');
    const r = reports();
    // A directory is no database: the worker fails to open it.
    const ckpt = new Checkpointer(db, dir, { onReport: r.on });
    const autocheckpoint = () => (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint;
    expect(autocheckpoint()).toBe(0);
    const failed = r.next();
    expect(ckpt.afterWrite()).toBeInstanceOf(Promise);
    expect(await failed).toMatchObject({ ok: false, error: expect.stringMatching(/^checkpoint worker failed \(.+\); checkpointing on the main connection again$/) });
    expect(autocheckpoint()).toBe(1000);
    expect(ckpt.afterWrite()).toBeNull();
    await ckpt.close();
    expect(r.seen).toHaveLength(1);
    db.close();
  });
});
