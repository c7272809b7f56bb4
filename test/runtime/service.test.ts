import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { WatchService } from '../../src/runtime/service.ts';
import type { Scheduler } from '../../src/schedule/scheduler.ts';
import { runtimeKit, type RuntimeKit } from '../kit/runtime.ts';

let kit: RuntimeKit;
let dir: string;
let svc: WatchService;
let scheduler: Scheduler;
afterEach(async () => {
  await kit?.close();
});

const valid = (text = 'hello') => JSON.stringify({
  trigger: { schedule: { interval: '10s' } },
  checks: [{ type: 'static', name: 's', target: 'x', value: { a: 1 } }],
  actions: [{ type: 'log', name: 'say', text }],
});

function setup() {
  kit = runtimeKit();
  dir = kit.watchesDir;
  mkdirSync(dir);
  ({ watches: svc, scheduler } = kit);
  scheduler.start();
}

const said = () => kit.logs.lines.filter((l) => l.event === 'watch_log_action').map((l) => l.msg);

describe('WatchService', () => {
  it('loads watches from the root (tenant _main) and tenant folders, and reports invalid files by path', async () => {
    setup();
    writeFileSync(join(dir, 'a.json'), valid());
    mkdirSync(join(dir, 'team1'));
    writeFileSync(join(dir, 'team1', 'b.json'), valid());
    writeFileSync(join(dir, 'team1', 'bad.json'), '{"trigger": {"schedule": {"interval": "10s"}}, "nope": 1}');
    writeFileSync(join(dir, 'notes.txt'), 'not a watch');
    expect(await svc.loadAll()).toEqual({ valid: 2, invalid: 1 });
    expect(svc.get('team1', 'b')?.watch?.tenant).toBe('team1');
    expect(svc.get('team1', 'bad')?.errors).toEqual({ nope: [{ error: 'unknown field' }] });
    const errLine = kit.logs.lines.find((l) => String(l.msg).includes('bad.json'));
    expect(errLine?.msg).toMatch(/bad\.json: nope: unknown field/);
    expect(scheduler.has('_main/a') && scheduler.has('team1/b') && !scheduler.has('team1/bad')).toBe(true);
  });

  it('runs on schedule, keeps the last valid version when an edit is invalid, and unschedules a deleted file', async () => {
    setup();
    const file = join(dir, 'a.json');
    writeFileSync(file, valid('v1'));
    await svc.loadAll();
    await kit.clock.advance(10_000);
    expect(said()).toEqual(['v1']);

    writeFileSync(file, '{ "trigger": ');
    await svc.reload({ tenant: '_main', id: 'a' });
    expect(svc.get('_main', 'a')?.errors?._?.[0]?.error).toMatch(/invalid JSON/);
    await kit.clock.advance(10_000);
    expect(said()).toEqual(['v1', 'v1']);

    writeFileSync(file, valid('v2'));
    await svc.reload({ tenant: '_main', id: 'a' });
    expect(svc.get('_main', 'a')?.errors).toBeNull();
    await kit.clock.advance(10_000);
    expect(said()).toEqual(['v1', 'v1', 'v2']);

    unlinkSync(file);
    await svc.reload({ tenant: '_main', id: 'a' });
    expect(svc.get('_main', 'a')).toBeUndefined();
    await kit.clock.advance(30_000);
    expect(said()).toHaveLength(3);
  });

  it('picks up file changes through the folder watcher (debounced)', async () => {
    setup();
    await svc.loadAll();
    svc.follow();
    const loaded = new Promise<void>((resolve) => {
      const t = setInterval(() => svc.get('_main', 'later')?.watch && (clearInterval(t), resolve()), 10);
    });
    writeFileSync(join(dir, 'later.json'), valid());
    await loaded;
    expect(scheduler.has('_main/later')).toBe(true);
  });

  it('PUT writes a valid watch file and refuses an invalid one with field paths, writing nothing', async () => {
    setup();
    expect(await svc.put('_main', 'api', JSON.parse(valid()))).toEqual({ created: true });
    expect(await svc.put('_main', 'api', JSON.parse(valid('again')))).toEqual({ created: false });
    await expect(svc.put('_main', 'broken', { trigger: { schedule: { interval: '-1s' } } })).rejects.toMatchObject({ code: 'INVALID_WATCH' });
    expect(svc.get('_main', 'broken')).toBeUndefined();
    await expect(svc.put('..', 'x', {})).rejects.toMatchObject({ code: 'INVALID_ID' });
    await expect(svc.put('_main', '__proto__/../x', {})).rejects.toMatchObject({ code: 'INVALID_ID' });
  });

  it('deactivating a watch unschedules it and survives a reload', async () => {
    setup();
    writeFileSync(join(dir, 'a.json'), valid());
    await svc.loadAll();
    await svc.setActive('_main', 'a', false);
    expect(scheduler.has('_main/a')).toBe(false);
    await svc.loadAll();
    expect(scheduler.has('_main/a')).toBe(false);
    await svc.setActive('_main', 'a', true);
    expect(scheduler.has('_main/a')).toBe(true);
  });
});
