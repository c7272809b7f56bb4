/**
 * What Vigil writes that holds private data is readable by its own user only, whatever the umask: the
 * state folder (0700) and its database, WAL, shared-memory, lock and pid files (0600); the accounts
 * folder and files; a key file from `vigil keygen --out`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { keygenCommand } from '../../src/cli/keys.ts';
import { KEYCHECK_FILE } from '../../src/accounts/keycheck.ts';
import { key, openTest, ringOf } from '../accounts/fixtures.ts';

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
const STATE_FILES = ['vigil.db', 'vigil.db-wal', 'vigil.db-shm', 'vigil.lock', 'vigil.pid'];

let base: string;
let savedUmask: number;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'vigil-perms-'));
  // The most permissive umask: every mode below is Vigil's own doing, not the environment's.
  savedUmask = process.umask(0);
});
afterAll(() => {
  process.umask(savedUmask);
  rmSync(base, { recursive: true, force: true });
});

let store: SqliteStateStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

function openAndWrite(dir: string): SqliteStateStore {
  const s = new SqliteStateStore(dir);
  // A write, so the WAL file exists (the shared-memory file comes with WAL mode at open).
  s.db.exec('CREATE TABLE IF NOT EXISTS perms_probe (x)');
  s.db.exec('INSERT INTO perms_probe VALUES (1)');
  return s;
}

describe('the state folder', () => {
  it('is created 0700 (parents too) and every file in it is 0600', () => {
    const dir = join(base, 'fresh', 'nested', 'data');
    store = openAndWrite(dir);
    expect(mode(dir)).toBe('700');
    expect(mode(join(base, 'fresh'))).toBe('700');
    for (const f of STATE_FILES) {
      expect(existsSync(join(dir, f)), f).toBe(true);
      expect(mode(join(dir, f)), f).toBe('600');
    }
  });

  it('files left world-readable by an earlier run (a crash: WAL and shared memory still on disk) are made 0600 at open; the folder keeps its mode', async () => {
    const live = join(base, 'live');
    store = openAndWrite(live);
    // A copy taken while the store is open is what a crash leaves: the WAL holds committed writes.
    const dir = join(base, 'crashed');
    mkdirSync(dir, { mode: 0o755 });
    for (const f of ['vigil.db', 'vigil.db-wal', 'vigil.db-shm']) {
      copyFileSync(join(live, f), join(dir, f));
      chmodSync(join(dir, f), 0o644);
    }
    expect(statSync(join(dir, 'vigil.db-wal')).size).toBeGreaterThan(0);
    await store.close();
    store = new SqliteStateStore(dir);
    for (const f of STATE_FILES) expect(mode(join(dir, f)), f).toBe('600');
    expect(mode(dir)).toBe('755');
    expect(store.db.prepare('SELECT count(*) AS n FROM perms_probe').get()).toEqual({ n: 1 });
  });
});

describe('accounts and keys', () => {
  it('the accounts folder, its type folders, account files and the key-check record are owner-only', async () => {
    const dir = join(base, 'accounts');
    const reg = await openTest(dir, await ringOf(key(1)));
    await reg.put('email', 'ops', { host: 'smtp.example.com', password: 'pw-1234-secret' });
    expect(mode(dir)).toBe('700');
    expect(mode(join(dir, 'email'))).toBe('700');
    expect(mode(join(dir, 'email', 'ops.json'))).toBe('600');
    expect(mode(join(dir, KEYCHECK_FILE))).toBe('600');
  });

  it('vigil keygen --out writes a 0600 key file', async () => {
    const file = join(base, 'master.key');
    const err: string[] = [];
    expect(await keygenCommand(['--out', file], { stdout: () => undefined, stderr: (s) => void err.push(s) })).toBe(0);
    expect(mode(file)).toBe('600');
    expect(err.join('')).toContain('(mode 0600)');
  });
});
