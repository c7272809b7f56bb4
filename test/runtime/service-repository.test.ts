/**
 * The watch service over a repository that is not a folder: it reads and changes watches only through
 * the WatchRepository interface, so a repository kept elsewhere (a cluster index) can take the folder's place.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WatchService } from '../../src/runtime/service.ts';
import { watchKey, type Misnamed, type WatchChange, type WatchRead, type WatchRef, type WatchRepository, type WatchSource } from '../../src/watches/repository.ts';
import { compileEnv, runtimeKit, type RuntimeKit } from '../kit/runtime.ts';

/** Watches in a map; `edit` and `remove` are changes made by someone else, announced on the feed. */
class MemoryRepository implements WatchRepository {
  readonly texts = new Map<string, { ref: WatchRef; text: string }>();
  readonly broken = new Map<string, WatchRef>();
  readonly listeners = new Set<(c: WatchChange) => void>();

  async list(): Promise<Array<WatchRead | Misnamed>> {
    return [...[...this.texts.values()].map(({ ref }) => this.read(ref)), ...[...this.broken.values()].map((ref) => this.read(ref))];
  }
  async get(ref: WatchRef): Promise<WatchRead> {
    return this.read(ref);
  }
  async put(ref: WatchRef, definition: unknown): Promise<WatchSource> {
    this.texts.set(watchKey(ref), { ref, text: JSON.stringify(definition) });
    return this.source(ref, JSON.stringify(definition));
  }
  async delete(ref: WatchRef): Promise<boolean> {
    return this.texts.delete(watchKey(ref));
  }
  watch(onChange: (c: WatchChange) => void): { close(): void } {
    this.listeners.add(onChange);
    return { close: () => void this.listeners.delete(onChange) };
  }
  locate(ref: WatchRef): string {
    return `memory:${watchKey(ref)}`;
  }
  edit(ref: WatchRef, text: string): void {
    this.texts.set(watchKey(ref), { ref, text });
    this.announce({ status: 'changed', ref, location: this.locate(ref) });
  }
  remove(ref: WatchRef): void {
    this.texts.delete(watchKey(ref));
    this.announce({ status: 'changed', ref, location: this.locate(ref) });
  }
  breakIt(ref: WatchRef): void {
    this.texts.delete(watchKey(ref));
    this.broken.set(watchKey(ref), ref);
    this.announce({ status: 'changed', ref, location: this.locate(ref) });
  }
  announce(c: WatchChange): void {
    for (const l of this.listeners) l(c);
  }
  private read(ref: WatchRef): WatchRead {
    if (this.broken.has(watchKey(ref))) return { status: 'unreadable', ref, location: this.locate(ref), problem: 'index unavailable' };
    const t = this.texts.get(watchKey(ref));
    return t ? { status: 'found', ref, source: this.source(ref, t.text) } : { status: 'missing', ref, location: this.locate(ref) };
  }
  private source(ref: WatchRef, text: string): WatchSource {
    return { ref, location: this.locate(ref), text, version: String(text.length) };
  }
}

const def = (text: string) => ({ trigger: { schedule: { interval: '10s' } }, actions: [{ type: 'log', name: 'say', text }] });
const A = { tenant: '_main', id: 'a' };

let kit: RuntimeKit;
let svc: WatchService;
afterEach(async () => {
  await svc?.stop();
  await kit?.close();
});

function setup(repo: MemoryRepository): void {
  kit = runtimeKit();
  svc = new WatchService({ repository: repo, env: compileEnv(), runner: kit.runner, scheduler: kit.scheduler, store: kit.store, logger: kit.logs.logger, metrics: kit.metrics, clock: kit.clock });
}

describe('WatchService over another repository', () => {
  it('loads what the repository lists, follows its change feed, and unschedules a missing or unreadable watch', async () => {
    const repo = new MemoryRepository();
    await repo.put(A, def('v1'));
    repo.texts.set('t/bad', { ref: { tenant: 't', id: 'bad' }, text: '{"nope": 1}' });
    setup(repo);
    expect(await svc.loadAll()).toEqual({ valid: 1, invalid: 1 });
    expect(svc.get('_main', 'a')).toMatchObject({ location: 'memory:_main/a', errors: null });
    expect(svc.get('t', 'bad')?.errors).toMatchObject({ nope: [{ error: 'unknown field' }] });
    expect(kit.logs.lines.some((l) => String(l.msg).startsWith('memory:t/bad: nope: unknown field'))).toBe(true);
    expect(kit.scheduler.has('_main/a')).toBe(true);

    svc.follow();
    repo.edit(A, JSON.stringify(def('v2')));
    await vi.waitFor(() => expect(svc.get('_main', 'a')?.watch?.def.actions[0]).toMatchObject({ text: 'v2' }));

    repo.remove(A);
    await vi.waitFor(() => expect(svc.get('_main', 'a')).toBeUndefined());
    expect(kit.scheduler.has('_main/a')).toBe(false);

    repo.edit(A, JSON.stringify(def('v3')));
    await vi.waitFor(() => expect(svc.get('_main', 'a')?.watch).toBeTruthy());
    repo.breakIt(A);
    await vi.waitFor(() => expect(svc.get('_main', 'a')).toBeUndefined());
    expect(kit.logs.lines.find((l) => l.msg === 'watch file removed: unscheduled' && l.problem === 'index unavailable')).toBeTruthy();
  });

  it('stores and removes through the repository (the API PUT and DELETE)', async () => {
    const repo = new MemoryRepository();
    setup(repo);
    expect(await svc.put('_main', 'a', def('x'))).toEqual({ created: true });
    expect(JSON.parse(repo.texts.get('_main/a')!.text)).toEqual(def('x'));
    expect(svc.get('_main', 'a')?.watch).toBeTruthy();
    await expect(svc.put('_main', 'b', { nope: 1 })).rejects.toMatchObject({ code: 'INVALID_WATCH' });
    expect(repo.texts.has('_main/b')).toBe(false);
    expect(await svc.delete('_main', 'a')).toBe(true);
    expect(repo.texts.has('_main/a')).toBe(false);
    expect(svc.get('_main', 'a')).toBeUndefined();
    expect(await svc.delete('_main', 'a')).toBe(false);
  });
});
