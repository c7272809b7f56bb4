import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { groupCommitter } from '../../src/state/sqlite/group-commit.ts';

function db() {
  const d = new DatabaseSync(':memory:');
  d.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  const commits: string[] = [];
  const exec = d.exec.bind(d);
  d.exec = (sql: string) => {
    if (sql === 'COMMIT') commits.push(sql);
    return exec(sql);
  };
  return { d, commits };
}

describe('groupCommitter', () => {
  it('writes requested in one turn share one COMMIT and each resolves with its own result', async () => {
    const { d, commits } = db();
    const batch = groupCommitter(d);
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
    const batch = groupCommitter(d);
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
    const batch = groupCommitter(d);
    const p = batch(() => d.prepare('INSERT INTO t VALUES (?, ?)').run('x', 'y'));
    expect(d.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    await p;
    expect(d.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });
});
