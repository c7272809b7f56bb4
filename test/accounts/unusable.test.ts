/**
 * A corrupt or unreadable account file takes only itself out: reported once at start (file and reason,
 * never content), left out of search results but named apart, answered with ACCOUNT_UNUSABLE, and
 * replaceable by a PUT; every other account stays usable.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { key, openTest, ringOf, tempDir } from './fixtures.ts';

const MARKER = 'CORRUPT-CONTENT-MARKER-5r3';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

async function corrupt(): Promise<void> {
  await writeFile(join(dir, 'email', 'bad.json'), `{"host": "h", "password": "${MARKER}`);
  await writeFile(join(dir, 'webhook', 'list.json'), JSON.stringify([MARKER]));
  // A directory where a file should be: reading it fails (EISDIR).
  await mkdir(join(dir, 'email', 'dir.json'));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(VigilError);
  return (e as VigilError).code;
}

const unusableLines = (lines: Array<Record<string, unknown>>) => lines.filter((l) => typeof l.file === 'string' && typeof l.reason === 'string');

describe('unusable account files', () => {
  it('are logged once at start, named apart in search, and the other accounts keep working', async () => {
    const ring = await ringOf(key(1));
    const first = await openTest(dir, ring);
    await first.put('email', 'good', { host: 'smtp.example.com', password: 'good-Secret-1' });
    await first.put('webhook', 'hook', { url: 'https://h.example/x', headers: { 'X-Key': 'hook-Secret-2' } });
    await corrupt();

    const log = captureLogger();
    const reg = await openTest(dir, ring, { logger: log.logger });
    expect(unusableLines(log.lines).map((l) => [l.file, l.reason])).toEqual([
      ['email/bad.json', 'is not valid JSON'],
      ['email/dir.json', 'cannot be read (EISDIR)'],
      ['webhook/list.json', 'is not a JSON object'],
    ]);
    expect(log.text()).not.toContain(MARKER);

    const found = await reg.search();
    expect(found.hits.map((h) => `${h.type}/${h.id}`)).toEqual(['email/good', 'webhook/hook']);
    expect(found.total).toBe(2);
    expect(found.unusable.map((u) => `${u.type}/${u.id}: ${u.reason}`)).toEqual([
      'email/bad: is not valid JSON',
      'email/dir: cannot be read (EISDIR)',
      'webhook/list: is not a JSON object',
    ]);
    expect((await reg.search({ type: 'webhook' })).unusable.map((u) => u.id)).toEqual(['list']);
    expect(JSON.stringify(found)).not.toContain(MARKER);

    expect(await codeOf(reg.getPublic('email', 'bad'))).toBe('ACCOUNT_UNUSABLE');
    expect(await codeOf(reg.resolve('email', 'bad'))).toBe('ACCOUNT_UNUSABLE');
    expect(await reg.exists('email', 'bad')).toBe(true);
    expect(await reg.resolve('email', 'good')).toMatchObject({ password: 'good-Secret-1' });
    expect((await reg.keyUsage()).find((u) => u.kid === ring.activeKid)?.fields).toBe(2);
    // Logged once, however often the bad files are met again.
    expect(unusableLines(log.lines)).toHaveLength(3);
  });

  it('do not stop a first start (no key-check record yet), and a PUT replaces one', async () => {
    await mkdir(join(dir, 'email'), { recursive: true });
    await mkdir(join(dir, 'webhook'), { recursive: true });
    await corrupt();
    const log = captureLogger();
    const reg = await openTest(dir, await ringOf(key(1)), { logger: log.logger });
    expect((await reg.search()).unusable).toHaveLength(3);

    expect(await reg.put('email', 'bad', { host: 'smtp.example.com', password: 'fresh-Secret-3' })).toEqual({ created: false });
    expect(await reg.resolve('email', 'bad')).toMatchObject({ password: 'fresh-Secret-3' });
    expect((await reg.search()).unusable.map((u) => u.id)).toEqual(['dir', 'list']);
    expect(await reg.delete('webhook', 'list')).toEqual({ deleted: true });
    expect((await reg.search()).unusable.map((u) => u.id)).toEqual(['dir']);
    expect(log.text()).not.toContain(MARKER);
  });

  it('a file that goes bad while running is noted when next read, and left out of the page', async () => {
    const reg = await openTest(dir, await ringOf(key(1)));
    await reg.put('email', 'a', { host: 'h' });
    await reg.put('email', 'b', { host: 'h' });
    await writeFile(join(dir, 'email', 'a.json'), '{');
    const found = await reg.search();
    expect(found.hits.map((h) => h.id)).toEqual(['b']);
    expect(found.total).toBe(1);
    expect(found.unusable.map((u) => u.id)).toEqual(['a']);
  });
});
