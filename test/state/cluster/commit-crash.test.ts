/**
 * The commit protocol under crashes. A run's decision and its notifications are one state-document
 * write (the handoff); the outbox entries are created after it. A process killed between the two
 * leaves the handoff, and the next store to open puts it into the outbox: nothing decided is lost.
 * A process killed after the entries exist (one even delivered) repeats nothing: recovery creates
 * by key, and what exists keeps its status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import { docStore, freshPrefix, openStore } from './kit.ts';
import { crashCommit } from './crash-commit.ts';

const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;

describe.each(FLAVOURS)('commit protocol under crashes on %s', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());

  it('a process killed between the state write and the outbox creates loses nothing: the next store delivers both', async () => {
    const prefix = freshPrefix();
    let hit: () => void;
    const outboxReached = new Promise<void>((r) => (hit = r));
    // The request that would create the outbox entries never gets an answer (nor applies): the child is killed waiting.
    cluster.setFault((req) => {
      if (req.path === '/_bulk' && req.body.includes(`"_index":"${prefix}-outbox"`)) {
        hit();
        return 'hang';
      }
      return undefined;
    });
    const child = spawn(process.execPath, [CHILD, cluster.url, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
    const exited = new Promise((r) => child.on('exit', r));
    await outboxReached;
    child.kill('SIGKILL');
    await exited;
    cluster.setFault(undefined);
    expect(lines).toEqual(['opened']);

    // What the dead process left: the decision with its handoff, no outbox entry.
    const ds = docStore(cluster.url);
    const doc = await ds.get<{ has_handoff: boolean; handoff: { entries: unknown[] } }>(`${prefix}-state`, '_main:w');
    expect(doc?.source.has_handoff).toBe(true);
    expect(doc?.source.handoff.entries).toHaveLength(2);
    expect(await ds.get(`${prefix}-outbox`, 'key-1')).toBeUndefined();

    // A tool opening the store beside daemons (recover: false) leaves the handoff to them.
    const tool = await openStore(cluster.url, { prefix, recover: false });
    await tool.close();
    expect(await ds.get(`${prefix}-outbox`, 'key-1')).toBeUndefined();
    expect((await ds.get<{ has_handoff: boolean }>(`${prefix}-state`, '_main:w'))?.source.has_handoff).toBe(true);

    const store = await openStore(cluster.url, { prefix });
    try {
      expect((await store.outbox.pending()).map((e) => e.key)).toEqual(['key-1', 'key-2']);
      expect((await store.watchState.get('_main', 'w'))?.actions.page?.episode?.id).toBe('ep-1');
      expect((await ds.get<{ has_handoff: boolean }>(`${prefix}-state`, '_main:w'))?.source.has_handoff).toBe(false);
    } finally {
      await store.close();
      await ds.close();
    }
  });

  it('a store opened after a stop that left a handoff repeats nothing: delivered stays delivered, pending stays one entry', async () => {
    const prefix = freshPrefix();
    const first = await openStore(cluster.url, { prefix });
    const { enqueued } = await first.commit(crashCommit());
    expect(enqueued).toEqual(['key-1', 'key-2']);
    await first.outbox.markDelivered('key-1', 10, 1);
    // Stopped before the run's next state write trimmed the handoff.
    await first.close();
    const second = await openStore(cluster.url, { prefix });
    try {
      expect((await second.outbox.pending()).map((e) => e.key)).toEqual(['key-2']);
      expect(await second.outbox.get('key-1')).toMatchObject({ status: 'delivered', finishedAt: 10 });
      // A re-run of the same decision (same keys) creates nothing new.
      expect((await second.commit(crashCommit())).enqueued).toEqual([]);
    } finally {
      await second.close();
    }
  });

  /**
   * The first `_bulk` request to `index` is applied (its index/create lines, as the node would) and its
   * answer lost: the connection drops, so the writer sends the same operations again.
   */
  function loseFirstAnswer(index: string): { dropped: () => boolean } {
    let dropped = false;
    cluster.setFault((req) => {
      if (dropped || req.path !== '/_bulk' || !req.body.includes(`"_index":"${index}"`)) return undefined;
      dropped = true;
      const lines = req.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
      for (let i = 0; i < lines.length; i++) {
        const [op, meta] = Object.entries(lines[i]!)[0] as [string, { _index: string; _id: string }];
        if (op === 'delete') continue;
        if (op === 'index' || op === 'create') cluster.store.write(meta._index, meta._id, lines[i + 1]!);
        i++;
      }
      return 'close';
    });
    return { dropped: () => dropped };
  }

  it('an outbox create whose answer was lost (applied, then the connection dropped) still counts as new', async () => {
    const prefix = freshPrefix();
    const store = await openStore(cluster.url, { prefix });
    const lost = loseFirstAnswer(`${prefix}-outbox`);
    try {
      // The retry is answered 409 for both entries; they carry this commit's id, so they are its own.
      const { enqueued } = await store.commit(crashCommit());
      expect(lost.dropped()).toBe(true);
      expect(enqueued).toEqual(['key-1', 'key-2']);
    } finally {
      cluster.setFault(undefined);
      await store.close();
    }
  });

  it('a state write whose answer was lost is recognised as its own, not as another writer', async () => {
    const prefix = freshPrefix();
    const store = await openStore(cluster.url, { prefix });
    await store.watchState.put('_main', 'w', crashCommit().state!.value);
    const lost = loseFirstAnswer(`${prefix}-state`);
    try {
      const { enqueued } = await store.commit(crashCommit());
      expect(lost.dropped()).toBe(true);
      expect(enqueued).toEqual(['key-1', 'key-2']);
    } finally {
      cluster.setFault(undefined);
      await store.close();
    }
  });
});
