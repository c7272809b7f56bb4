/**
 * Compare-and-set on the state documents: two stores writing one watch (two daemons, or a stale one)
 * cannot both win; the loser's decision and its notifications are dropped, never half-written. A
 * version that moved without anyone writing (a cluster restarted, its primary term raised) is not a
 * conflict: the write goes through, and everything acknowledged before the restart is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import { emptyWatchState } from '../../../src/state/records.ts';
import { tempDirs } from '../../kit/temp-dirs.ts';
import { entry, logRecord } from '../store-suite.ts';
import { docStore, freshPrefix, openStore } from './kit.ts';

const tempDir = tempDirs('vigil-cas-');

describe.each(FLAVOURS)('state compare-and-set on %s', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());

  it('two stores on one index set: one commit wins, the other fails with CONFLICT and enqueues nothing', async () => {
    const prefix = freshPrefix();
    const a = await openStore(cluster.url, { prefix, node: 'a' });
    const b = await openStore(cluster.url, { prefix, node: 'b' });
    try {
      await a.watchState.put('_main', 'w', emptyWatchState('start'));
      // Both read the same version, as two daemons running the same watch would.
      expect((await a.watchState.get('_main', 'w'))?.node).toBe('start');
      expect((await b.watchState.get('_main', 'w'))?.node).toBe('start');
      expect((await a.commit({ state: { tenant: '_main', watchId: 'w', value: emptyWatchState('a') }, enqueue: [entry('from-a', 1)] })).enqueued).toEqual(['from-a']);
      const lost = await b.commit({ state: { tenant: '_main', watchId: 'w', value: emptyWatchState('b') }, enqueue: [entry('from-b', 1)] }).catch((e: unknown) => e);
      expect(lost).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('last written by a') });
      expect(await b.outbox.get('from-b')).toBeUndefined();
      expect((await a.watchState.get('_main', 'w'))?.node).toBe('a');
      // The loser forgot what it had: it reads the winner's state and can write on top of it.
      expect((await b.watchState.get('_main', 'w'))?.node).toBe('a');
      await b.watchState.put('_main', 'w', emptyWatchState('b2'));
      expect((await b.watchState.get('_main', 'w'))?.node).toBe('b2');
      // Creating a state another store created meanwhile is a conflict too.
      expect(await a.watchState.get('_main', 'new')).toBeUndefined();
      await b.watchState.put('_main', 'new', emptyWatchState('b'));
      await expect(a.watchState.put('_main', 'new', emptyWatchState('a'))).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refresh: another daemon\'s write is read again; while reads fail the copy in hand stays (a write from it is still a compare-and-set)', async () => {
    const prefix = freshPrefix();
    const a = await openStore(cluster.url, { prefix, node: 'a' });
    const b = await openStore(cluster.url, { prefix, node: 'b' });
    try {
      await a.watchState.put('_main', 'w', emptyWatchState('start'));
      expect((await b.watchState.get('_main', 'w'))?.node).toBe('start');
      await a.watchState.put('_main', 'w', { ...emptyWatchState('a'), active_override: false });
      // b's cached copy is stale until it reads again.
      expect((await b.watchState.get('_main', 'w'))?.node).toBe('start');
      await b.watchState.refresh!('_main', 'w');
      expect(await b.watchState.get('_main', 'w')).toMatchObject({ node: 'a', active_override: false });
      // Reads fail: the copy b has stays, and a read of a state it never had fails.
      cluster.setFault((req) => (req.path.includes('_mget') || req.method === 'GET' ? { status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'test' }, status: 503 } } : undefined));
      try {
        await b.watchState.refresh!('_main', 'w');
        expect((await b.watchState.get('_main', 'w'))?.node).toBe('a');
        await expect(b.watchState.refresh!('_main', 'never-read')).rejects.toBeDefined();
      } finally {
        cluster.setFault(undefined);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two daemons claiming one scheduled time: one commits, the other writes nothing, whichever copy of the state it read', async () => {
    const prefix = freshPrefix();
    const a = await openStore(cluster.url, { prefix, node: 'a' });
    const b = await openStore(cluster.url, { prefix, node: 'b' });
    const T = Date.UTC(2026, 0, 5, 12);
    const ran = (node: string, t: number) => {
      const s = emptyWatchState(node);
      s.last_execution = { severity: null, trigger: { scheduled_time: new Date(t).toISOString(), triggered_time: null }, execution_time: new Date(t).toISOString() };
      return { tenant: '_main', watchId: 'w', value: s };
    };
    try {
      await a.commit({ state: ran('a', T - 1000), claim: T - 1000 });
      // b read the same version as a (both believe they own the watch).
      expect((await b.watchState.get('_main', 'w'))?.node).toBe('a');
      const wins = await Promise.allSettled([
        a.commit({ state: ran('a', T), claim: T, enqueue: [entry('from-a', 1)], log: logRecord('log-a') }),
        b.commit({ state: ran('b', T), claim: T, enqueue: [entry('from-b', 1)], log: logRecord('log-b') }),
      ]);
      expect(wins.map((w) => w.status).sort()).toEqual(['fulfilled', 'rejected']);
      const loser = wins[0]!.status === 'rejected' ? 'a' : 'b';
      const winner = loser === 'a' ? 'b' : 'a';
      expect(((wins.find((w) => w.status === 'rejected') as PromiseRejectedResult).reason as { code: string }).code).toBe('CONFLICT');
      expect(await a.outbox.get(`from-${loser}`)).toBeUndefined();
      expect(await a.outbox.get(`from-${winner}`)).toBeDefined();
      expect((await a.log.query({})).map((r) => r.id)).toEqual([`log-${winner}`]);
      // The loser, now reading the winner's version, still cannot run that time again.
      const [l] = loser === 'a' ? [a] : [b];
      await expect(l.commit({ state: ran(loser, T), claim: T, log: logRecord('again') })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`by ${winner}`) });
      expect((await a.log.query({})).map((r) => r.id)).toEqual([`log-${winner}`]);
      // A stale copy (forgotten on becoming the owner) is read again before the next claim.
      await (winner === 'a' ? a : b).commit({ state: ran(winner, T + 1000), claim: T + 1000 });
      l.watchState.forget!('_main', 'w');
      expect((await l.watchState.get('_main', 'w'))?.node).toBe(winner);
      expect((await l.commit({ state: ran(loser, T + 2000), claim: T + 2000, enqueue: [entry('next', 3)] })).enqueued).toEqual(['next']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a version moved by re-indexing (same content) is no conflict: the write goes on against the new version', async () => {
    const prefix = freshPrefix();
    const store = await openStore(cluster.url, { prefix });
    const ds = docStore(cluster.url);
    try {
      await store.watchState.put('_main', 'w', emptyWatchState('before'));
      const before = (await ds.get(`${prefix}-state`, '_main:w'))!;
      await ds.refresh(`${prefix}-state`);
      await ds.updateByQuery(`${prefix}-state`, { match_all: {} });
      expect((await ds.get(`${prefix}-state`, '_main:w'))!.seqNo).toBeGreaterThan(before.seqNo);
      await store.watchState.put('_main', 'w', emptyWatchState('after'));
      expect((await ds.get<{ state: { node: string } }>(`${prefix}-state`, '_main:w'))!.source.state.node).toBe('after');
    } finally {
      await ds.close();
      await store.close();
    }
  });

  it('a cluster restart keeps every acknowledged write, and the store goes on writing', async () => {
    const dataDir = tempDir();
    let c = await startTestCluster({ flavour, dataDir });
    const port = c.port;
    const store = await openStore(c.url, { prefix: 'vigil' });
    try {
      await store.commit({ state: { tenant: '_main', watchId: 'w', value: emptyWatchState('before') }, enqueue: [entry('k', 1)], log: { id: 'r1', tenant: '_main', watch_id: 'w', watch_version: 'v', status: { code: 'ACTION_EXECUTED' }, execution_start: new Date().toISOString(), execution_end: new Date().toISOString(), actions: [], resolve_actions: [], node: 'n' } });
      await store.security.users.put({ name: 'kirk', hash: '$argon2id$x', roles: [], backendRoles: [], attributes: {}, reserved: false, hidden: false, updatedAt: 1 });
      await c.close();
      c = await startTestCluster({ flavour, dataDir, port });
      await store.commit({ state: { tenant: '_main', watchId: 'w', value: emptyWatchState('after') }, delivered: [{ key: 'k', at: 5, attempts: 1 }] });
      const again = await openStore(c.url, { prefix: 'vigil' });
      expect((await again.watchState.get('_main', 'w'))?.node).toBe('after');
      expect(await again.outbox.get('k')).toMatchObject({ status: 'delivered' });
      expect((await again.log.query({})).map((r) => r.id)).toEqual(['r1']);
      expect((await again.security.users.get('kirk'))?.hash).toBe('$argon2id$x');
      await again.close();
    } finally {
      await store.close();
      await c.close();
    }
  });
});
