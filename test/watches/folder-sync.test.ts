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

  async function setup(node = 'node-1') {
    const names = indexNames(`vt-${randomBytes(4).toString('hex')}`);
    await ensureIndices(ds, names, silentLogger());
    const clock = new FakeClock('2026-03-01T10:00:00Z');
    const root = tempDir();
    const logs = captureLogger('info');
    const repoFor = (n: string) => new ClusterWatchRepository({ docs: ds, index: names.watches, node: n, clock, logger: silentLogger() });
    const cluster = repoFor(node);
    const files = new FileWatchRepository({ root, logger: silentLogger(), debounceMs: 10 });
    return { root, names, cluster, repoFor, logs, sync: new FolderSync({ files, cluster, node, logger: logs.logger }) };
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
});
