/**
 * Batching: writes made together share one `_bulk` request and reads one `_mget`, the group commit's
 * equivalent on the cluster, so a burst of runs is a handful of requests, not one per write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import { emptyWatchState } from '../../../src/state/records.ts';
import { logRecord } from '../store-suite.ts';
import { openStore } from './kit.ts';

describe.each(FLAVOURS)('batching on %s', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());

  it('200 concurrent run commits (state and log) go out as a few _bulk requests, their reads as one _mget', async () => {
    const store = await openStore(cluster.url, { writes: { paceMs: 10 } });
    try {
      const mark = cluster.requests.length;
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.commit({ state: { tenant: '_main', watchId: `w${i}`, value: emptyWatchState(`n${i}`) }, log: logRecord(`r${i}`, { watch_id: `w${i}` }, now) })),
      );
      expect(results).toHaveLength(200);
      const sent = cluster.requests.slice(mark);
      const bulks = sent.filter((r) => r.path === '/_bulk');
      const items = bulks.reduce((n, r) => n + r.body.trim().split('\n').filter((l) => /^\{"(index|create|update|delete)":/.test(l)).length, 0);
      expect(items).toBe(400);
      expect(bulks.length).toBeLessThanOrEqual(4);
      expect(sent.filter((r) => r.path === '/_mget').length).toBeLessThanOrEqual(2);
      expect(sent.length).toBeLessThanOrEqual(6);
      // Each commit got its own answer: every state and record is there.
      expect((await store.watchState.get('_main', 'w199'))?.node).toBe('n199');
      expect((await store.log.query({ watchId: 'w7' })).map((r) => r.id)).toEqual(['r7']);
    } finally {
      await store.close();
    }
  });

  it('a burst larger than the batch is split into requests of at most maxBatch operations', async () => {
    const store = await openStore(cluster.url, { writes: { paceMs: 10, maxBatch: 50 } });
    try {
      const mark = cluster.requests.length;
      await Promise.all(Array.from({ length: 120 }, (_, i) => store.kv.put(`k${i}`, i)));
      const bulks = cluster.requests.slice(mark).filter((r) => r.path === '/_bulk');
      expect(bulks.map((r) => r.body.trim().split('\n').length)).toEqual([100, 100, 40]);
      expect(await store.kv.get('k119')).toBe(119);
    } finally {
      await store.close();
    }
  });
});
