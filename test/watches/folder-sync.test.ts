/**
 * A watches folder applied to the cluster's watch definitions: at start (applyAll) and as files change
 * (follow). The cluster copy is what runs; the folder only writes into it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { silentLogger } from '../../src/log.ts';
import { createDocStore } from '../../src/cluster/docstore.ts';
import type { DocStoreClient } from '../../src/cluster/docstore-types.ts';
import { ensureIndices } from '../../src/state/cluster/setup.ts';
import { indexNames } from '../../src/state/cluster/names.ts';
import { ClusterWatchRepository } from '../../src/watches/cluster-repository.ts';
import { FileWatchRepository } from '../../src/watches/file-repository.ts';
import { FolderSync } from '../../src/watches/folder-sync.ts';
import type { WatchChange } from '../../src/watches/repository.ts';

const tempDir = tempDirs('vigil-sync-');
const text = (t: string) => JSON.stringify({ trigger: { schedule: { interval: '1m' } }, actions: [{ type: 'log', name: 'l', text: t }] });

describe('FolderSync', () => {
  let cluster: TestCluster;
  let ds: DocStoreClient;
  const closers: Array<() => void> = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9' });
    ds = createDocStore({ name: 'state', urls: [cluster.url] }, silentLogger());
  });
  afterAll(async () => {
    await ds.close();
    await cluster.close();
  });
  afterEach(() => closers.splice(0).forEach((c) => c()));

  /** The requests this test sent the watch index, as `METHOD path` (`_doc/<id>` shortened to `_doc`). */
  const watchRequests = (index: string, from: number) =>
    cluster.requests.slice(from).filter((r) => r.path.includes(index) || r.body.includes(index)).map((r) => `${r.method} ${r.path.replace(/\/_doc\/.*/, '/_doc').replace(/^\/[^_][^/]*/, '/<index>')}`);

  /** A document store whose `_bulk` lets `before` run first: another writer getting in between a read and a write. */
  const racing = (before: () => Promise<void>, method: 'bulk' | 'write' = 'bulk'): DocStoreClient => new Proxy(ds, {
    get: (t, k) => {
      if (k === 'bulk' && method === 'bulk') return async (...args: Parameters<DocStoreClient['bulk']>) => (await before(), t.bulk(...args));
      if (k === 'write' && method === 'write') return async (...args: Parameters<DocStoreClient['write']>) => (await before(), t.write(...args));
      const v = Reflect.get(t, k) as unknown;
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });

  async function setup(node = 'node-1', docs = ds) {
    const names = indexNames(`vt-${randomBytes(4).toString('hex')}`);
    await ensureIndices(ds, names, silentLogger());
    const clock = new FakeClock('2026-03-01T10:00:00Z');
    const root = tempDir();
    const logs = captureLogger('info');
    const repoFor = (n: string, d = docs) => new ClusterWatchRepository({ docs: d, index: names.watches, node: n, clock, logger: silentLogger() });
    const cluster = repoFor(node);
    const files = new FileWatchRepository({ root, logger: silentLogger(), debounceMs: 10 });
    return { root, names, cluster, repoFor, logs, files, sync: new FolderSync({ files, cluster, node, logger: logs.logger }) };
  }

  it('applies the folder at start: new and changed files written, equal ones left, gone ones deleted only when this daemon applied them', async () => {
    const { root, cluster, repoFor, logs, sync } = await setup();
    writeFileSync(join(root, 'a.json'), text('a1'));
    mkdirSync(join(root, 'team1'));
    writeFileSync(join(root, 'team1', 'b.json'), text('b1'));
    writeFileSync(join(root, 'bad name.json'), text('x'));
    expect(await sync.applyAll()).toEqual({ created: 2, updated: 0, unchanged: 0, kept: 0, deleted: 0, skipped: 1 });
    expect(await cluster.get({ tenant: 'team1', id: 'b' })).toMatchObject({ status: 'found', source: { text: text('b1'), writtenBy: 'node-1' } });
    expect(logs.lines.filter((l) => l.msg === 'watch file applied to the cluster (created)').map((l) => [l.watch, l.node])).toEqual([['a', 'node-1'], ['b', 'node-1']]);

    // Another daemon's file watch and an API watch have no file here: they stay. Ours whose file went goes.
    await repoFor('node-2').applyFile({ tenant: '_main', id: 'theirs' }, text('t'));
    await cluster.put({ tenant: '_main', id: 'api' }, JSON.parse(text('api')));
    writeFileSync(join(root, 'a.json'), text('a2'));
    rmSync(join(root, 'team1', 'b.json'));
    expect(await sync.applyAll()).toEqual({ created: 0, updated: 1, unchanged: 0, kept: 0, deleted: 1, skipped: 1 });
    expect((await cluster.list()).map((e) => e.ref.id)).toEqual(['a', 'api', 'theirs']);
    expect(await cluster.get({ tenant: '_main', id: 'a' })).toMatchObject({ source: { text: text('a2') } });
    expect(await sync.applyAll()).toMatchObject({ unchanged: 1, created: 0, updated: 0, deleted: 0 });
  });

  it('follows the folder: an edit is applied and reported at once, a deletion deletes the watch', async () => {
    const { root, cluster, sync } = await setup();
    const reported: WatchChange[] = [];
    let wake: (() => void) | undefined;
    closers.push(cluster.watch((c) => (reported.push(c), wake?.())).close);
    const next = (n: number) => (reported.length >= n ? Promise.resolve() : new Promise<void>((r) => (wake = () => reported.length >= n && r())));
    closers.push(sync.follow().close);
    writeFileSync(join(root, 'a.json'), text('a1'));
    await next(1);
    expect(await cluster.get({ tenant: '_main', id: 'a' })).toMatchObject({ status: 'found', source: { text: text('a1') } });
    rmSync(join(root, 'a.json'));
    await next(2);
    expect(await cluster.get({ tenant: '_main', id: 'a' })).toMatchObject({ status: 'missing' });
    expect(reported.map((c) => c.status === 'changed' && c.ref.id)).toEqual(['a', 'a']);
  });

  it('applies many files in a few batches: one _mget and one _bulk per batch, not a GET and a write per file', async () => {
    const { root, names, cluster: repo, sync } = await setup();
    for (let i = 0; i < 120; i++) writeFileSync(join(root, `w${i}.json`), text(`t${i}`));
    let from = cluster.requests.length;
    expect(await sync.applyAll()).toMatchObject({ created: 120, skipped: 0 });
    const sent = watchRequests(names.watches, from);
    expect(sent.filter((r) => r === 'POST /_mget')).toHaveLength(1);
    expect(sent.filter((r) => r === 'POST /_bulk')).toHaveLength(1);
    expect(sent.filter((r) => r.includes('/_doc'))).toEqual([]);
    // Nothing changed: the stored versions are read in one request and nothing is written.
    from = cluster.requests.length;
    expect(await sync.applyAll()).toMatchObject({ unchanged: 120, created: 0 });
    expect(watchRequests(names.watches, from).filter((r) => r === 'POST /_bulk' || r.includes('/_doc'))).toEqual([]);
    expect((await repo.list()).length).toBe(120);
  });

  it('hot-adds files dropped in at once in batches, and hands each listener the written version without a read back', async () => {
    const { root, names, cluster: repo, sync } = await setup();
    const reported: string[] = [];
    let wake: (() => void) | undefined;
    const loaded: Array<Promise<unknown>> = [];
    closers.push(repo.watch((c) => {
      if (c.status !== 'changed') return;
      reported.push(c.ref.id);
      // As the runtime does: each change is read back at once.
      loaded.push(repo.get(c.ref));
      wake?.();
    }).close);
    closers.push(sync.follow().close);
    const from = cluster.requests.length;
    for (let i = 0; i < 80; i++) writeFileSync(join(root, `h${i}.json`), text(`h${i}`));
    await new Promise<void>((r) => (wake = () => reported.length >= 80 && r()));
    const reads = await Promise.all(loaded);
    expect(reads.every((r) => (r as { status: string }).status === 'found')).toBe(true);
    const sent = watchRequests(names.watches, from);
    expect(sent.filter((r) => r.includes('/_doc'))).toEqual([]);
    // The folder watcher reports files a few at a time; however they fall, far fewer batches than files.
    expect(sent.filter((r) => r === 'POST /_bulk').length).toBeLessThanOrEqual(8);
    expect(sent.length).toBeLessThanOrEqual(16);
    expect(new Set(reported).size).toBe(80);
  });

  it('another daemon writing between the read and the write is not clobbered: the file is read and decided again', async () => {
    let other: ClusterWatchRepository | undefined;
    let once = true;
    const docs = racing(async () => {
      // node-2 applies the same folder's a.json first (same text), and changes b over the API.
      if (!once) return;
      once = false;
      await other!.applyFile({ tenant: '_main', id: 'a' }, text('a1'));
      await other!.put({ tenant: '_main', id: 'b' }, JSON.parse(text('b-api')));
    });
    const { root, cluster: repo, repoFor, sync } = await setup('node-1', docs);
    other = repoFor('node-2', ds);
    writeFileSync(join(root, 'a.json'), text('a1'));
    writeFileSync(join(root, 'b.json'), text('b1'));
    // a: node-2 wrote the same text meanwhile, so nothing is left to write. b: the file differs from
    // what the API saved and was never applied, so it replaces it, conditionally on that new version.
    expect(await sync.applyAll()).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect(await repo.get({ tenant: '_main', id: 'a' })).toMatchObject({ source: { writtenBy: 'node-2' } });
    expect(await repo.get({ tenant: '_main', id: 'b' })).toMatchObject({ source: { text: text('b1'), writtenBy: 'node-1' } });
  });

  it('a file that keeps losing to other writers is reported with its path; the other files are applied', async () => {
    let other: ClusterWatchRepository | undefined;
    let n = 0;
    const docs = racing(async () => void (await other!.put({ tenant: '_main', id: 'b' }, JSON.parse(text(`b-api-${n++}`)))));
    const { root, cluster: repo, repoFor, logs, sync } = await setup('node-1', docs);
    other = repoFor('node-2', ds);
    writeFileSync(join(root, 'a.json'), text('a1'));
    writeFileSync(join(root, 'b.json'), text('b1'));
    expect(await sync.applyAll()).toMatchObject({ created: 1, updated: 0, skipped: 1 });
    expect(await repo.get({ tenant: '_main', id: 'a' })).toMatchObject({ source: { text: text('a1') } });
    expect(await repo.get({ tenant: '_main', id: 'b' })).toMatchObject({ source: { writtenBy: 'node-2' } });
    const err = logs.lines.find((l) => l.msg === 'watch file not applied to the cluster; it is applied again at its next change or on SIGHUP');
    expect(err).toMatchObject({ watch: 'b', file: join(root, 'b.json'), err: expect.stringContaining('changed 3 times') });
  });

  it('a file deleted while another writer saves its watch over the API does not delete that version', async () => {
    let other: ClusterWatchRepository | undefined;
    let race = false;
    const docs = racing(async () => {
      if (!race) return;
      race = false;
      await other!.put({ tenant: '_main', id: 'a' }, JSON.parse(text('api')));
    }, 'write');
    const { root, cluster: repo, repoFor, sync } = await setup('node-1', docs);
    other = repoFor('node-2', ds);
    writeFileSync(join(root, 'a.json'), text('a1'));
    expect(await sync.applyAll()).toMatchObject({ created: 1 });
    rmSync(join(root, 'a.json'));
    race = true;
    expect(await sync.applyAll()).toMatchObject({ deleted: 0 });
    expect(await repo.get({ tenant: '_main', id: 'a' })).toMatchObject({ status: 'found', source: { text: expect.stringContaining('api'), writtenBy: 'node-2' } });
  });
});
