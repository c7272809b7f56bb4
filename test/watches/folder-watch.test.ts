import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { watchFolder } from '../../src/watches/folder-watch.ts';

let dir = '';
let stop: (() => void) | null = null;

afterEach(() => {
  stop?.();
  stop = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts watching `dir`; `next(file)` resolves when that file is reported. */
function follow(debounceMs = 20) {
  const seen: string[] = [];
  const waiters = new Map<string, () => void>();
  const w = watchFolder(dir, debounceMs, (f) => {
    seen.push(f);
    waiters.get(f)?.();
  }, silentLogger());
  stop = () => w.close();
  const next = (file: string) => new Promise<void>((resolve) => (seen.includes(file) ? resolve() : waiters.set(file, resolve)));
  return { seen, next };
}

describe('watchFolder', () => {
  it('reports a file in the root once after several quick writes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-fw-'));
    const { seen, next } = follow(50);
    const file = join(dir, 'a.json');
    writeFileSync(file, '{');
    writeFileSync(file, '{}');
    await next(file);
    writeFileSync(join(dir, 'marker.json'), '{}');
    await next(join(dir, 'marker.json'));
    expect(seen.filter((f) => f === file)).toHaveLength(1);
  });

  it('reports files in tenant folders that existed at start, were created later, or were moved in whole', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-fw-'));
    mkdirSync(join(dir, 'team1'));
    const { next } = follow();
    const existing = join(dir, 'team1', 'x.json');
    writeFileSync(existing, '{}');
    await next(existing);

    mkdirSync(join(dir, 'team2'));
    // The new folder is picked up from the root's event; retry the write until its watcher is there.
    const later = join(dir, 'team2', 'y.json');
    const seenLater = next(later);
    for (let i = 0; i < 100; i++) {
      writeFileSync(later, '{}');
      const done = await Promise.race([seenLater.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
      if (done) break;
    }
    await seenLater;

    const outside = mkdtempSync(join(tmpdir(), 'vigil-fw-out-'));
    writeFileSync(join(outside, 'z.json'), '{}');
    renameSync(outside, join(dir, 'team3'));
    await next(join(dir, 'team3', 'z.json'));
  });

  it('reports a deleted file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-fw-'));
    const file = join(dir, 'gone.json');
    writeFileSync(file, '{}');
    const { next } = follow();
    rmSync(file);
    await next(file);
  });
});
