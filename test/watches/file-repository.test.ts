import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { FileWatchRepository } from '../../src/watches/file-repository.ts';
import { refForFile, watchFilePath } from '../../src/watches/file-names.ts';
import type { WatchChange, WatchRead } from '../../src/watches/repository.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-repo-');
const closers: Array<() => void> = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

const body = (text: string) => ({ trigger: { schedule: { interval: '1m' } }, actions: [{ type: 'log', name: 'l', text }] });
const repo = (root: string) => new FileWatchRepository({ root, logger: silentLogger(), debounceMs: 20 });
const brief = (r: WatchRead | { status: 'misnamed'; location: string; problem: string }) =>
  r.status === 'misnamed' ? { status: r.status, problem: r.problem } : { status: r.status, ref: r.ref };

describe('FileWatchRepository', () => {
  it('names files by the tenant rule both ways: _main in the folder itself, other tenants in sub-folders', async () => {
    const root = tempDir();
    const r = repo(root);
    await r.put({ tenant: '_main', id: 'a' }, body('a'));
    await r.put({ tenant: 'team1', id: 'b' }, body('b'));
    expect(existsSync(join(root, 'a.json'))).toBe(true);
    expect(existsSync(join(root, 'team1', 'b.json'))).toBe(true);
    expect(r.locate({ tenant: 'team1', id: 'b' })).toBe(join(root, 'team1', 'b.json'));
    for (const ref of [{ tenant: '_main', id: 'a' }, { tenant: 'team1', id: 'b' }, { tenant: 'x-y_z', id: 'W-1_2' }]) {
      expect(refForFile(root, watchFilePath(root, ref))).toEqual({ file: watchFilePath(root, ref), ...ref });
    }
    expect((await r.list()).map(brief)).toEqual([
      { status: 'found', ref: { tenant: '_main', id: 'a' } },
      { status: 'found', ref: { tenant: 'team1', id: 'b' } },
    ]);
  });

  it('reads a source with its text and a version that follows the text', async () => {
    const root = tempDir();
    const r = repo(root);
    const put = await r.put({ tenant: '_main', id: 'a' }, body('one'));
    expect(put.text).toBe(readFileSync(join(root, 'a.json'), 'utf8'));
    const read = await r.get({ tenant: '_main', id: 'a' });
    expect(read).toMatchObject({ status: 'found', source: { ref: { tenant: '_main', id: 'a' }, location: join(root, 'a.json'), text: put.text } });
    const first = read.status === 'found' ? read.source.version : '';
    expect(first).toBe(put.version);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    writeFileSync(join(root, 'a.json'), put.text);
    expect(await r.get({ tenant: '_main', id: 'a' })).toMatchObject({ source: { version: first } });
    await r.put({ tenant: '_main', id: 'a' }, body('two'));
    const changed = await r.get({ tenant: '_main', id: 'a' });
    expect(changed.status === 'found' && changed.source.version).not.toBe(first);
  });

  it('records who saved a watch in the file itself, under _vigil.saved_by, and leaves the definition as given', async () => {
    const root = tempDir();
    const r = repo(root);
    const saver = { user: 'alice', roles: ['team_a'], backend_roles: ['ops'] };
    const put = await r.put({ tenant: 'a', id: 'w' }, body('x'), saver);
    expect(JSON.parse(readFileSync(join(root, 'a', 'w.json'), 'utf8'))).toEqual({ ...body('x'), _vigil: { saved_by: saver } });
    expect(JSON.parse(put.text)._vigil).toEqual({ saved_by: saver });
    await r.put({ tenant: 'a', id: 'w' }, body('x'));
    expect(JSON.parse(readFileSync(join(root, 'a', 'w.json'), 'utf8'))).toEqual(body('x'));
  });

  it('reports a missing watch and an unreadable one as typed results, never as an error to match', async () => {
    const root = tempDir();
    const r = repo(root);
    expect(await r.get({ tenant: '_main', id: 'gone' })).toEqual({ status: 'missing', ref: { tenant: '_main', id: 'gone' }, location: join(root, 'gone.json') });
    expect(await r.get({ tenant: 'nobody', id: 'gone' })).toMatchObject({ status: 'missing' });
    // A folder where the file should be: there is something, but it cannot be read as a watch.
    mkdirSync(join(root, 'odd.json'));
    expect(await r.get({ tenant: '_main', id: 'odd' })).toEqual({
      status: 'unreadable',
      ref: { tenant: '_main', id: 'odd' },
      location: join(root, 'odd.json'),
      problem: 'cannot read file: EISDIR',
    });
  });

  it('deletes: true when there was a watch, false when there was none', async () => {
    const root = tempDir();
    const r = repo(root);
    await r.put({ tenant: 't', id: 'a' }, body('a'));
    expect(await r.delete({ tenant: 't', id: 'a' })).toBe(true);
    expect(await r.get({ tenant: 't', id: 'a' })).toMatchObject({ status: 'missing' });
    expect(await r.delete({ tenant: 't', id: 'a' })).toBe(false);
  });

  it('lists misnamed files as such and ignores what is not a watch file', async () => {
    const root = tempDir();
    const r = repo(root);
    writeFileSync(join(root, 'ok.json'), '{}');
    writeFileSync(join(root, 'bad name.json'), '{}');
    writeFileSync(join(root, '.hidden.json'), '{}');
    writeFileSync(join(root, 'notes.txt'), 'x');
    mkdirSync(join(root, 'bad tenant'));
    writeFileSync(join(root, 'bad tenant', 'w.json'), '{}');
    mkdirSync(join(root, 't', 'deeper'), { recursive: true });
    writeFileSync(join(root, 't', 'deeper', 'w.json'), '{}');
    expect((await r.list()).map(brief)).toEqual([
      { status: 'misnamed', problem: "file name 'bad name.json': watch ids are [A-Za-z0-9_-]{1,128}" },
      { status: 'misnamed', problem: "folder 'bad tenant': tenant names are [A-Za-z0-9_-]{1,128}" },
      { status: 'found', ref: { tenant: '_main', id: 'ok' } },
    ]);
  });

  it('refuses refs outside the id rules before touching the disk', async () => {
    const root = tempDir();
    const r = repo(root);
    for (const ref of [{ tenant: '..', id: 'x' }, { tenant: '_main', id: '../x' }, { tenant: '_main', id: '__proto__' }]) {
      await expect(r.put(ref, body('x'))).rejects.toMatchObject({ code: 'INVALID_ID' });
      await expect(r.get(ref)).rejects.toMatchObject({ code: 'INVALID_ID' });
      await expect(r.delete(ref)).rejects.toMatchObject({ code: 'INVALID_ID' });
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('reports changes made by others: a watch file written, a misnamed one', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'team1'));
    const r = repo(root);
    const changes: WatchChange[] = [];
    let wake: (() => void) | null = null;
    const feed = r.watch((c) => (changes.push(c), wake?.()));
    closers.push(() => feed.close());
    const next = async (n: number) => {
      while (changes.length < n) await new Promise<void>((resolve) => (wake = resolve));
    };
    writeFileSync(join(root, 'team1', 'w.json'), '{}');
    await next(1);
    expect(changes[0]).toEqual({ status: 'changed', ref: { tenant: 'team1', id: 'w' }, location: join(root, 'team1', 'w.json') });
    writeFileSync(join(root, 'bad name.json'), '{}');
    await next(2);
    expect(changes[1]).toMatchObject({ status: 'misnamed', location: join(root, 'bad name.json') });
  });
});
