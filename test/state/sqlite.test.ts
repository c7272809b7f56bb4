import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { SqliteWatchStateStore } from '../../src/state/sqlite/watch-state.ts';
import { SqliteWatchLogStore } from '../../src/state/sqlite/log.ts';
import { SqliteOutboxStore } from '../../src/state/sqlite/outbox.ts';
import { emptyWatchState } from '../../src/state/records.ts';
import { VigilError } from '../../src/errors.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-state-');

function entry(key: string, createdAt: number) {
  return {
    key,
    tenant: '_main',
    watchId: 'w',
    action: 'a',
    actionType: 'webhook',
    accountId: null,
    episodeKey: 'ep',
    notification: { kind: 'fire', request: { body: 'x' }, summary: 's' },
    createdAt,
    deadline: createdAt + 10_000,
    nextAttemptAt: createdAt,
  };
}

/** What only the SQLite store does; what every store does is in store-suite.ts (store-sqlite.test.ts). */
describe('SqliteStateStore', () => {
  it('prunes the execution log to the newest N records', async () => {
    const store = new SqliteStateStore(tempDir());
    for (let i = 0; i < 10; i++) {
      await store.log.append({
        id: `r${i}`, tenant: 't', watch_id: 'w', watch_version: 'v', status: { code: 'NO_ACTION' },
        execution_start: 'x', execution_end: 'x', actions: [], resolve_actions: [], node: 'n',
      });
    }
    expect(await store.log.prune(3)).toBe(7);
    expect((await store.log.query({})).map((r) => r.id)).toEqual(['r9', 'r8', 'r7']);
    await store.close();
  });

  it('keeps no index by watch on the execution log (dropped from older databases); queries by watch still answer', async () => {
    const dir = tempDir();
    let store = new SqliteStateStore(dir);
    // What a database written by an earlier version carries.
    store.db.exec('CREATE INDEX watch_log_watch ON watch_log (tenant, watch_id, seq)');
    await store.close();
    store = new SqliteStateStore(dir);
    const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'watch_log'").all();
    expect(indexes).toEqual([]);
    for (let i = 0; i < 6; i++) {
      await store.log.append({
        id: `r${i}`, tenant: i % 3 === 0 ? 'team' : '_main', watch_id: i % 2 ? 'odd' : 'even', watch_version: 'v',
        status: { code: 'NO_ACTION' }, execution_start: 'x', execution_end: 'x', actions: [], resolve_actions: [], node: 'n',
      });
    }
    expect((await store.log.query({ tenant: '_main', watchId: 'even' })).map((r) => r.id)).toEqual(['r4', 'r2']);
    expect((await store.log.query({ watchId: 'odd', size: 2 })).map((r) => r.id)).toEqual(['r5', 'r3']);
    await store.close();
  });

  it('adds the retry window column to an outbox written by an earlier version; its entries keep their window', async () => {
    const dir = tempDir();
    let store = new SqliteStateStore(dir);
    await store.outbox.enqueue(entry('old', 1_000));
    // What a database written by an earlier version carries: no window column.
    store.db.exec('ALTER TABLE outbox DROP COLUMN window_ms');
    await store.close();
    store = new SqliteStateStore(dir);
    expect(await store.outbox.get('old')).toMatchObject({ deadline: 11_000, windowMs: 10_000 });
    await store.outbox.extendDeadlines([{ key: 'old', deadline: 60_000 }]);
    expect(await store.outbox.get('old')).toMatchObject({ deadline: 60_000, windowMs: 10_000 });
    await store.close();
  });

  it('prunes through the write path every other write takes (so the checkpointer hears of it)', async () => {
    const store = new SqliteStateStore(tempDir());
    let durableCalls = 0;
    const log = new SqliteWatchLogStore(store.db, () => (durableCalls++, store.durable()));
    for (let i = 0; i < 4; i++) log.appendSync({ id: `r${i}`, tenant: 't', watch_id: 'w', watch_version: 'v', status: { code: 'NO_ACTION' }, execution_start: 'x', execution_end: 'x', actions: [], resolve_actions: [], node: 'n' });
    expect(await log.prune(2)).toBe(2);
    expect(durableCalls).toBe(1);
    // Nothing removed, nothing to make durable.
    expect(await log.prune(2)).toBe(0);
    expect(durableCalls).toBe(1);
    let batched = 0;
    const outbox = new SqliteOutboxStore(store.db, async (write) => (batched++, write()));
    expect(await outbox.prune(Date.now())).toBe(0);
    expect(batched).toBe(1);
    await store.close();
  });

  it('answers state reads from the text it last wrote, a fresh object each time', async () => {
    const store = new SqliteStateStore(tempDir());
    const state = emptyWatchState('n');
    state.last_status = { code: 'ACTION_EXECUTED' };
    await store.watchState.put('_main', 'w', state);
    // Changed behind the store's back: a read served by the cache still sees what the store wrote.
    store.db.prepare("UPDATE watch_state SET state = '{}'").run();
    const first = (await store.watchState.get('_main', 'w'))!;
    expect(first).toEqual(state);
    first.last_status = null;
    expect((await store.watchState.get('_main', 'w'))!.last_status).toEqual({ code: 'ACTION_EXECUTED' });
    await store.watchState.delete('_main', 'w');
    expect(await store.watchState.get('_main', 'w')).toBeUndefined();
    await store.close();
  });

  it('reads evicted states back from the database when the cache is full', async () => {
    const store = new SqliteStateStore(tempDir());
    const small = new SqliteWatchStateStore(store.db, () => store.durable(), { cacheEntries: 2 });
    for (const id of ['a', 'b', 'c']) await small.put('_main', id, { ...emptyWatchState('n'), node: id });
    store.db.prepare("UPDATE watch_state SET state = json_set(state, '$.node', 'changed')").run();
    // 'a' was dropped when 'c' came in, so it is read from the table; 'c' still comes from the cache.
    expect((await small.get('_main', 'a'))!.node).toBe('changed');
    expect((await small.get('_main', 'c'))!.node).toBe('c');
    await store.close();
  });

  it('refuses a second holder of the same directory and names the pid', async () => {
    const dir = tempDir();
    const store = new SqliteStateStore(dir);
    let err: unknown;
    try {
      new SqliteStateStore(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('STATE_LOCKED');
    expect((err as VigilError).message).toContain(`pid ${process.pid}`);
    await store.close();
    // Released: the directory can be opened again.
    const again = new SqliteStateStore(dir);
    await again.close();
  });

  it('does not stay locked after its holder is killed with SIGKILL', async () => {
    const dir = tempDir();
    // The child keeps its store referenced: a collected store closes its connections, lock included.
    const child = spawn(process.execPath, [
      '-e',
      `import('${new URL('../../src/state/sqlite.ts', import.meta.url).pathname}').then(m => { globalThis.store = new m.SqliteStateStore(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000); })`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (b) => String(b).includes('locked') && resolve()));
    expect(() => new SqliteStateStore(dir)).toThrow(/locked by pid/);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const store = new SqliteStateStore(dir);
    await store.close();
  });

  it('refuses a directory whose database an older daemon holds exclusively, without blaming itself', async () => {
    const dir = tempDir();
    // An older Vigil locked vigil.db itself (locking_mode=EXCLUSIVE) and knew nothing of vigil.lock.
    const child = spawn(process.execPath, [
      '-e',
      `const { DatabaseSync } = require('node:sqlite'); const d = new DatabaseSync(${JSON.stringify(join(dir, 'vigil.db'))});
       d.exec('PRAGMA journal_mode = WAL'); d.exec('PRAGMA locking_mode = EXCLUSIVE'); d.exec('BEGIN EXCLUSIVE'); d.exec('COMMIT');
       console.log('locked'); setInterval(() => {}, 1000);`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (b) => String(b).includes('locked') && resolve()));
    let err: unknown;
    try {
      new SqliteStateStore(dir);
    } catch (e) {
      err = e;
    }
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(err).toMatchObject({ code: 'STATE_LOCKED', message: expect.stringContaining('older version') });
    expect((err as Error).message).not.toContain(String(process.pid));
    // Our own lock was released on the way out: the directory opens once the old daemon is gone.
    const store = new SqliteStateStore(dir);
    await store.close();
  });
});

describe('SqliteStateStore.commit', () => {
  it('forgets a state whose write was rolled back with the rest of its group', async () => {
    const store = new SqliteStateStore(tempDir());
    await store.watchState.put('t', 'w', { ...emptyWatchState('n'), node: 'before' });
    const bad = { ...entry('k', 1), notification: undefined as unknown };
    // Same group: the good write commits, the failing one is rolled back alone (savepoints).
    const [good, failed] = await Promise.allSettled([
      store.commit({ state: { tenant: 't', watchId: 'other', value: { ...emptyWatchState('n'), node: 'kept' } } }),
      store.commit({ state: { tenant: 't', watchId: 'w', value: { ...emptyWatchState('n'), node: 'after' } }, enqueue: [bad] }),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(failed.status).toBe('rejected');
    expect((await store.watchState.get('t', 'w'))!.node).toBe('before');
    expect((await store.watchState.get('t', 'other'))!.node).toBe('kept');
    await store.close();
  });
});
