/**
 * Watch definitions on the cluster: the repository contract (as the watches folder meets it), the
 * feed that lets daemons see each other's changes (a poll, each change reported once, deletions as
 * tombstones), and the rules for a watches folder applied to the cluster.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { silentLogger } from '../../src/log.ts';
import { createDocStore } from '../../src/cluster/docstore.ts';
import type { DocStoreClient } from '../../src/cluster/docstore-types.ts';
import type { Clock } from '../../src/clock.ts';
import { ensureIndices } from '../../src/state/cluster/setup.ts';
import { indexNames } from '../../src/state/cluster/names.ts';
import { ClusterWatchRepository } from '../../src/watches/cluster-repository.ts';
import { FileWatchRepository } from '../../src/watches/file-repository.ts';
import { sourceVersion, type WatchChange, type WatchRef } from '../../src/watches/repository.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { randomBytes } from 'node:crypto';

const tempDir = tempDirs('vigil-cwr-');
const body = (text: string) => ({ trigger: { schedule: { interval: '1m' } }, actions: [{ type: 'log', name: 'l', text }] });
const a: WatchRef = { tenant: '_main', id: 'a' };
const b: WatchRef = { tenant: 'team1', id: 'b' };

/** Changes as reported, and a way to wait for one (an event, not a sleep). */
function feedLog() {
  const seen: WatchChange[] = [];
  const waiters: Array<{ pred: (c: WatchChange) => boolean; resolve: () => void }> = [];
  return {
    seen,
    onChange: (c: WatchChange) => {
      seen.push(c);
      for (const w of waiters.splice(0)) if (w.pred(c)) w.resolve();
      else waiters.push(w);
    },
    until: (pred: (c: WatchChange) => boolean) => (seen.some(pred) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pred, resolve }))),
    refs: () => seen.map((c) => (c.status === 'changed' ? `${c.ref.tenant}/${c.ref.id}` : c.location)),
  };
}

describe.each(['es9', 'os2'] as const)('ClusterWatchRepository on %s', (flavour) => {
  let cluster: TestCluster;
  let ds: DocStoreClient;
  const closers: Array<() => void> = [];
  beforeAll(async () => {
    // Writes become searchable within 10 ms: a poll sees them without waiting for the default second.
    cluster = await startTestCluster({ flavour, refreshIntervalMs: 10 });
    ds = createDocStore({ name: 'state', urls: [cluster.url] }, silentLogger());
  });
  afterAll(async () => {
    await ds.close();
    await cluster.close();
  });
  afterEach(() => closers.splice(0).forEach((c) => c()));

  async function repos(n = 1, o: { logger?: ReturnType<typeof silentLogger>; pollMs?: number; docs?: DocStoreClient } = {}) {
    const names = indexNames(`vt-${randomBytes(4).toString('hex')}`);
    await ensureIndices(ds, names, silentLogger());
    const clock = new FakeClock('2026-03-01T10:00:00Z');
    const make = (node: string, c: Clock = clock) => new ClusterWatchRepository({ docs: node === 'node-1' ? (o.docs ?? ds) : ds, index: names.watches, node, clock: c, logger: o.logger ?? silentLogger(), pollMs: o.pollMs ?? 2000 });
    return { clock, names, make, repos: Array.from({ length: n }, (_, i) => make(`node-${i + 1}`)) };
  }

  it('keeps definitions by tenant and id, with the version a watches folder gives the same text and who wrote it', async () => {
    const { repos: [r] } = await repos();
    const put = await r!.put(a, body('one'));
    await r!.put(b, body('two'));
    const file = await new FileWatchRepository({ root: tempDir(), logger: silentLogger() }).put(a, body('one'));
    expect(put.text).toBe(file.text);
    expect(put.version).toBe(file.version);
    expect(put.version).toBe(sourceVersion(put.text));
    expect(await r!.get(a)).toMatchObject({ status: 'found', source: { text: put.text, version: put.version, writtenBy: 'node-1', location: expect.stringMatching(/-watches\/_main:a$/) } });
    expect((await r!.list()).map((e) => e.status === 'found' && `${e.ref.tenant}/${e.ref.id}`)).toEqual(['_main/a', 'team1/b']);
    expect(await r!.delete(a)).toBe(true);
    expect(await r!.delete(a)).toBe(false);
    expect(await r!.get(a)).toMatchObject({ status: 'missing', ref: a });
    expect((await r!.list()).map((e) => e.ref)).toEqual([b]);
    await expect(r!.get({ tenant: '../x', id: 'a' })).rejects.toMatchObject({ code: 'INVALID_ID' });
    await expect(r!.put({ tenant: '_main', id: 'a b' }, body('x'))).rejects.toMatchObject({ code: 'INVALID_ID' });
  });

  it('reports the changes another daemon makes, each once, deletions included, within one poll', async () => {
    const { clock, repos: [mine, theirs] } = await repos(2);
    const feed = feedLog();
    closers.push(mine!.watch(feed.onChange).close);
    await theirs!.put(a, body('one'));
    // Searchable now (a poll finds changes by a search; a real cluster refreshes every second).
    cluster.refresh();
    await clock.advance(2000);
    await feed.until((c) => c.status === 'changed' && c.ref.id === 'a');
    expect(await mine!.get(a)).toMatchObject({ status: 'found', source: { writtenBy: 'node-2' } });

    // My own write is not reported back to me; their next change is, once, and so is their deletion.
    await mine!.put(b, body('mine'));
    await theirs!.put(a, body('two'));
    cluster.refresh();
    await clock.advance(2000);
    await feed.until((c) => feed.seen.filter((x) => x.status === 'changed' && x.ref.id === 'a').length === 2);
    await theirs!.delete(a);
    cluster.refresh();
    await clock.advance(2000);
    await feed.until(() => feed.seen.length === 3);
    // Polls that find nothing new report nothing (the overlap window looks back over the same changes).
    await theirs!.put({ tenant: '_main', id: 'marker' }, body('m'));
    cluster.refresh();
    await clock.advance(2000);
    await feed.until((c) => c.status === 'changed' && c.ref.id === 'marker');
    expect(feed.refs()).toEqual(['_main/a', '_main/a', '_main/a', '_main/marker']);
    expect(await mine!.get(a)).toMatchObject({ status: 'missing' });
  });

  it('keeps polling through an outage and reports what changed meanwhile once the cluster answers', async () => {
    const logs = captureLogger('debug');
    const { clock, repos: [mine, theirs] } = await repos(2, { logger: logs.logger });
    const feed = feedLog();
    closers.push(mine!.watch(feed.onChange).close);
    await theirs!.put(a, body('before'));
    cluster.refresh();
    await cluster.stop();
    try {
      await clock.advance(2000);
      await logs.until((l) => /cannot poll the cluster/.test(l.msg));
    } finally {
      await cluster.start();
    }
    await clock.advance(2000);
    await feed.until((c) => c.status === 'changed' && c.ref.id === 'a');
    await logs.until((l) => /polling the cluster works again/.test(l.msg));
  });

  it('applies a file unless the API changed the watch after that same file; a deleted file deletes only a file watch', async () => {
    const { repos: [r] } = await repos();
    const t1 = JSON.stringify(body('v1'));
    const t2 = JSON.stringify(body('v2'));
    expect(await r!.applyFile(a, t1)).toBe('created');
    expect(await r!.applyFile(a, t1)).toBe('unchanged');
    expect(await r!.applyFile(a, t2)).toBe('updated');
    // Changed over the API: the unchanged file does not take it back…
    await r!.put(a, body('from the api'));
    expect(await r!.applyFile(a, t2)).toBe('kept');
    expect(await r!.get(a)).toMatchObject({ source: { text: expect.stringContaining('from the api') } });
    // …a changed file does.
    expect(await r!.applyFile(a, t1)).toBe('updated');
    expect(await r!.get(a)).toMatchObject({ source: { text: t1 } });
    // Deleting a file deletes a watch that came from a file, never one the API saved.
    expect(await r!.deleteFromFile(a)).toBe(true);
    await r!.put(b, body('api only'));
    expect(await r!.deleteFromFile(b)).toBe(false);
    expect(await r!.get(b)).toMatchObject({ status: 'found' });
  });

  it('removes tombstones once they are older than their retention', async () => {
    // Hourly polls: days of fake time in a few steps.
    const { clock, names, repos: [r] } = await repos(1, { pollMs: 3_600_000 });
    const feed = feedLog();
    closers.push(r!.watch(feed.onChange).close);
    await r!.put(a, body('x'));
    await r!.delete(a);
    await ds.refresh(names.watches);
    expect(await ds.count(names.watches)).toBe(1);
    const count = async () => (await ds.refresh(names.watches), await ds.count(names.watches));
    // Polls an hour apart: the pass after the retention removes it.
    await clock.advance(3_600_000);
    expect(await count()).toBe(1);
    await clock.advance(7 * 86_400_000);
    for (let i = 0; i < 10 && (await count()) > 0; i++) await clock.advance(3_600_000);
    expect(await count()).toBe(0);
  });

  /** node-1's document store, counting the hits its searches (the polls) return and telling when one ends. */
  function pollCounter() {
    const c = { searches: 0, hits: 0, wake: undefined as (() => void) | undefined };
    const docs = new Proxy(ds, {
      get: (t, k) => {
        if (k === 'search') {
          return async (...args: Parameters<DocStoreClient['search']>) => {
            const r = await t.search(...args);
            c.searches++;
            c.hits += r.hits.length;
            c.wake?.();
            return r;
          };
        }
        const v = Reflect.get(t, k) as unknown;
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    /** Advances the clock one poll interval and waits for that poll's search. */
    const poll = async (clock: FakeClock) => {
      const before = c.searches;
      const done = new Promise<void>((r) => (c.wake = () => c.searches > before && r()));
      await clock.advance(2000);
      await done;
    };
    return { c, docs, poll };
  }

  it("a poll reads none of this process's own writes, and other writers' changes only for the overlap", async () => {
    const count = pollCounter();
    const { clock, repos: [mine, theirs] } = await repos(2, { docs: count.docs });
    const feed = feedLog();
    closers.push(mine!.watch(feed.onChange).close);
    const files = Array.from({ length: 40 }, (_, i) => ({ ref: { tenant: '_main', id: `f${i}` }, text: JSON.stringify(body(`f${i}`)) }));
    expect((await mine!.applyFiles(files)).every((r) => 'outcome' in r && r.outcome === 'created')).toBe(true);
    cluster.refresh();
    for (let i = 0; i < 3; i++) await count.poll(clock);
    expect(count.c.hits).toBe(0);
    // Another writer's 40 changes: reported once each, read again only while the overlap covers them.
    for (const f of files.slice(0, 40)) await theirs!.put({ tenant: 'team1', id: f.ref.id }, body('theirs'));
    cluster.refresh();
    const theirsSeen = () => feed.refs().filter((r) => r.startsWith('team1/')).length;
    await count.poll(clock);
    expect(theirsSeen()).toBe(40);
    for (let i = 0; i < 20; i++) await count.poll(clock);
    // Told once each: mine at once when written, theirs by the poll.
    expect(feed.seen).toHaveLength(80);
    count.c.hits = 0;
    await count.poll(clock);
    expect(count.c.hits).toBe(0);
  });

  it('reports a change another writer makes exactly once, also one that becomes searchable after newer ones', async () => {
    const { clock, make, repos: [mine, theirs] } = await repos(2);
    const feed = feedLog();
    closers.push(mine!.watch(feed.onChange).close);
    // A writer whose write reaches the index late: stamped 5 s before it is searchable (its clock
    // behind, or its request held up), after a newer change has been seen.
    const behind = new FakeClock(clock.now() - 5000);
    const late = make('node-3', behind);
    await theirs!.put(a, body('newer'));
    cluster.refresh();
    await clock.advance(2000);
    await feed.until((c) => c.status === 'changed' && c.ref.id === 'a');
    await clock.advance(2000);
    await late.put(b, body('late'));
    cluster.refresh();
    await clock.advance(2000);
    await feed.until((c) => c.status === 'changed' && c.ref.id === 'b');
    // Many more polls over the overlap and past it: nothing is reported again.
    await theirs!.put({ tenant: '_main', id: 'marker' }, body('m'));
    cluster.refresh();
    for (let i = 0; i < 20; i++) await clock.advance(2000);
    await feed.until((c) => c.status === 'changed' && c.ref.id === 'marker');
    for (let i = 0; i < 5; i++) await clock.advance(2000);
    expect(feed.refs()).toEqual(['_main/a', 'team1/b', '_main/marker']);
  });
});
