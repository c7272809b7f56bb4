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

describe('SqliteStateStore', () => {
  it('keeps watch state and the execution log across a reopen', async () => {
    const dir = tempDir();
    let store = new SqliteStateStore(dir);
    const state = emptyWatchState('node-1');
    state.last_status = { code: 'ACTION_EXECUTED' };
    await store.watchState.put('_main', 'w1', state);
    await store.log.append({
      id: 'r1', tenant: '_main', watch_id: 'w1', watch_version: 'v', status: { code: 'NO_ACTION' },
      execution_start: '2026-01-01T00:00:00.000Z', execution_end: '2026-01-01T00:00:01.000Z',
      actions: [], resolve_actions: [], node: 'n',
    });
    await store.close();
    store = new SqliteStateStore(dir);
    expect((await store.watchState.get('_main', 'w1'))?.last_status?.code).toBe('ACTION_EXECUTED');
    expect((await store.log.query({ watchId: 'w1' })).map((r) => r.id)).toEqual(['r1']);
    expect(await store.watchState.get('_main', 'nope')).toBeUndefined();
    await store.close();
  });

  it('lists every watch with an active_override in one read, and only those', async () => {
    const store = new SqliteStateStore(tempDir());
    await store.watchState.put('_main', 'off', { ...emptyWatchState('n'), active_override: false });
    await store.watchState.put('team', 'on', { ...emptyWatchState('n'), active_override: true });
    await store.watchState.put('_main', 'cleared', { ...emptyWatchState('n'), active_override: null });
    await store.watchState.put('_main', 'plain', emptyWatchState('n'));
    const overrides = await store.watchState.activeOverrides();
    expect(overrides.sort((a, b) => a.watchId.localeCompare(b.watchId))).toEqual([
      { tenant: '_main', watchId: 'off', active: false },
      { tenant: 'team', watchId: 'on', active: true },
    ]);
    await store.close();
  });

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

  it('enqueues an outbox entry once per key and tracks its attempts', async () => {
    const store = new SqliteStateStore(tempDir());
    expect(await store.outbox.enqueue(entry('k1', 1))).toBe(true);
    expect(await store.outbox.enqueue(entry('k1', 2))).toBe(false);
    await store.outbox.enqueue(entry('k2', 3));
    await store.outbox.recordAttempt('k1', 'HTTP 503', 500);
    expect((await store.outbox.pending()).map((e) => e.key)).toEqual(['k1', 'k2']);
    await store.outbox.markDelivered('k1', 10);
    await store.outbox.markFailed('k2', 'HTTP 400', 11);
    expect(await store.outbox.pending()).toEqual([]);
    const k1 = await store.outbox.get('k1');
    expect(k1).toMatchObject({ status: 'delivered', attempts: 1, createdAt: 1 });
    expect((await store.outbox.get('k2'))?.lastError).toBe('HTTP 400');
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
  it('writes state, outbox entries and the log record together, skipping known keys', async () => {
    const store = new SqliteStateStore(tempDir());
    await store.outbox.enqueue(entry('old', 1));
    const state = emptyWatchState('n');
    const res = await store.commit({
      state: { tenant: '_main', watchId: 'w', value: state },
      enqueue: [entry('old', 2), entry('new', 3)],
      log: { id: 'r', tenant: '_main', watch_id: 'w', watch_version: 'v', status: { code: 'ACTION_EXECUTED' },
        execution_start: 'x', execution_end: 'x', actions: [], resolve_actions: [], node: 'n' },
    });
    expect(res.enqueued).toEqual(['new']);
    expect(await store.watchState.get('_main', 'w')).toEqual(state);
    expect((await store.log.query({})).length).toBe(1);
    await store.close();
  });

  it('rolls everything back when one part fails', async () => {
    const store = new SqliteStateStore(tempDir());
    const bad = { ...entry('k', 1), notification: undefined as unknown };
    await expect(store.commit({ state: { tenant: 't', watchId: 'w', value: emptyWatchState('n') }, enqueue: [bad] })).rejects.toThrow();
    expect(await store.watchState.get('t', 'w')).toBeUndefined();
    await store.close();
  });

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
