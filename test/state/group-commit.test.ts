import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { groupCommitter, storeWritesPending } from '../../src/state/sqlite/group-commit.ts';

function db() {
  const d = new DatabaseSync(':memory:');
  d.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  const commits: string[] = [];
  const prepare = d.prepare.bind(d);
  d.prepare = (sql: string) => {
    const st = prepare(sql);
    if (sql !== 'COMMIT') return st;
    const run = st.run.bind(st) as () => ReturnType<typeof st.run>;
    st.run = (() => (commits.push(sql), run())) as typeof st.run;
    return st;
  };
  return { d, commits };
}

/** A WAL sync whose fsyncs complete when the test says so. */
function manualSync() {
  const pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  return {
    pending,
    sync: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
    finishAll: () => pending.splice(0).forEach((p) => p.resolve()),
  };
}
const instantSync = { sync: async () => {} };

describe('groupCommitter', () => {
  it('writes requested in one turn share one COMMIT and each resolves with its own result', async () => {
    const { d, commits } = db();
    const batch = groupCommitter(d, instantSync);
    const insert = d.prepare('INSERT INTO t VALUES (?, ?)');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => batch(() => (insert.run(`k${i}`, 'v'), i * 2))));
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(commits).toHaveLength(1);
    expect((d.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(10);
    await batch(() => insert.run('later', 'v'));
    expect(commits).toHaveLength(2);
  });

  it('a failing write is rolled back and rejected alone; the others commit', async () => {
    const { d } = db();
    const batch = groupCommitter(d, instantSync);
    const insert = d.prepare('INSERT INTO t VALUES (?, ?)');
    const ok1 = batch(() => insert.run('a', '1'));
    const bad = batch(() => {
      insert.run('b', '2');
      insert.run('a', 'duplicate key');
    });
    const ok2 = batch(() => insert.run('c', '3'));
    await expect(bad).rejects.toThrow(/UNIQUE/);
    await ok1;
    await ok2;
    const keys = (d.prepare('SELECT k FROM t ORDER BY k').all() as Array<{ k: string }>).map((r) => r.k);
    expect(keys).toEqual(['a', 'c']);
  });

  it('nothing is visible to readers before the COMMIT that resolves the write', async () => {
    const { d } = db();
    const batch = groupCommitter(d, instantSync);
    const p = batch(() => d.prepare('INSERT INTO t VALUES (?, ?)').run('x', 'y'));
    expect(d.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    await p;
    expect(d.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });

  it('a committed write resolves only after the WAL fsync that covers it (durable before acted on)', async () => {
    const { d, commits } = db();
    const wal = manualSync();
    const batch = groupCommitter(d, wal);
    let done = false;
    const p = batch(() => d.prepare('INSERT INTO t VALUES (?, ?)').run('x', 'y')).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(commits).toHaveLength(1);
    expect(wal.pending).toHaveLength(1);
    await Promise.resolve();
    expect(done).toBe(false);
    wal.finishAll();
    await p;
    expect(done).toBe(true);
  });

  it('a failed fsync rejects every write of the group, also the ones that committed', async () => {
    const { d } = db();
    const wal = manualSync();
    const batch = groupCommitter(d, wal);
    const insert = d.prepare('INSERT INTO t VALUES (?, ?)');
    const a = batch(() => insert.run('a', '1'));
    const b = batch(() => insert.run('b', '2'));
    await new Promise((r) => setImmediate(r));
    wal.pending[0]!.reject(new Error('EIO'));
    await expect(a).rejects.toThrow('EIO');
    await expect(b).rejects.toThrow('EIO');
  });

  it('paces groups: a write soon after a group waits for the pace, then commits with whatever joined it', async () => {
    const { d, commits } = db();
    const batch = groupCommitter(d, instantSync, 200);
    const insert = d.prepare('INSERT INTO t VALUES (?, ?)');
    await batch(() => insert.run('a', '1'));
    expect(commits).toHaveLength(1);
    expect(storeWritesPending()).toBe(false);
    const b = batch(() => insert.run('b', '2'));
    expect(storeWritesPending()).toBe(true);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(commits).toHaveLength(1); // still inside the pace
    const c = batch(() => insert.run('c', '3'));
    await Promise.all([b, c]);
    expect(commits).toHaveLength(2); // b and c shared the paced group
    expect(storeWritesPending()).toBe(false);
  });

  it('rejects the whole group, without leaving a write waiting, when the database itself fails', async () => {
    const { d } = db();
    const batch = groupCommitter(d, instantSync);
    const insert = d.prepare('INSERT INTO t VALUES (?, ?)');
    d.close();
    await expect(batch(() => insert.run('a', '1'))).rejects.toThrow();
    expect(storeWritesPending()).toBe(false);
  });
});
