/**
 * The cluster goes away. Writes made meanwhile wait in memory (bounded), in order, and are sent again
 * with backoff (on the injected clock) until the cluster answers; the store reports itself unhealthy,
 * and full when its bound is reached (writers then wait), so the daemon can hold its schedule back.
 * Nothing acknowledged is lost: with the test cluster's persistence, a restarted cluster has every
 * write it acknowledged, and the queued ones land once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { tempDirs } from '../../kit/temp-dirs.ts';
import { emptyWatchState } from '../../../src/state/records.ts';
import type { StoreHealth } from '../../../src/state/cluster/index.ts';
import { entry, logRecord } from '../store-suite.ts';
import { freshPrefix, openStore } from './kit.ts';

const tempDir = tempDirs('vigil-outage-');

/** Health reports as they come, and a way to wait for one. */
function healthLog() {
  const seen: StoreHealth[] = [];
  const waiters: Array<{ pred: (h: StoreHealth) => boolean; resolve: () => void }> = [];
  return {
    seen,
    onHealth: (h: StoreHealth) => {
      seen.push(h);
      for (const w of waiters.splice(0)) if (w.pred(h)) w.resolve();
      else waiters.push(w);
    },
    until: (pred: (h: StoreHealth) => boolean) => (seen.some(pred) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pred, resolve }))),
  };
}

describe.each(FLAVOURS)('the cluster goes away (%s)', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());

  it('queued writes wait while it is stopped, in order, and land once it is back; health says so', async () => {
    const clock = new FakeClock();
    const health = healthLog();
    const store = await openStore(cluster.url, { clock, onHealth: health.onHealth, writes: { paceMs: 1, backoff: { initialMs: 1000, maxMs: 8000 } } });
    try {
      // The watches ran before: their states are known, so runs during the outage need no read.
      for (let i = 0; i < 3; i++) await store.watchState.put('_main', `w${i}`, emptyWatchState('before'));
      await cluster.stop();
      const done: string[] = [];
      const commits = [0, 1, 2].map((i) =>
        store
          .commit({ state: { tenant: '_main', watchId: `w${i}`, value: emptyWatchState(`during-${i}`) }, enqueue: [entry(`k${i}`, i)], log: logRecord(`r${i}`, {}, Date.now()) })
          .then((r) => (done.push(`w${i}`), r)),
      );
      // A later write of the same watch queues behind the first.
      const second = store.commit({ state: { tenant: '_main', watchId: 'w0', value: emptyWatchState('during-0b') } }).then(() => done.push('w0b'));
      await health.until((h) => !h.healthy);
      expect(store.health).toMatchObject({ healthy: false, error: expect.stringMatching(/unreachable|connect/i) });
      // Retries on the clock: nothing is sent again until it moves, and nothing is acknowledged.
      await clock.advance(1000);
      expect(done).toEqual([]);
      await cluster.start();
      await clock.advance(8000);
      const results = await Promise.all(commits);
      await second;
      expect(results.map((r) => r.enqueued)).toEqual([['k0'], ['k1'], ['k2']]);
      expect(done.indexOf('w0')).toBeLessThan(done.indexOf('w0b'));
      await health.until((h) => h.healthy);
      expect((await store.watchState.get('_main', 'w0'))?.node).toBe('during-0b');
      expect((await store.outbox.pending()).map((e) => e.key)).toEqual(['k0', 'k1', 'k2']);
      expect((await store.log.query({})).map((r) => r.id).sort()).toEqual(['r0', 'r1', 'r2']);
    } finally {
      await cluster.start();
      await store.close();
    }
  });

  it('past its bound the store says it is full and writers wait; a restarted cluster (persistence) has every acknowledged write and takes the rest', async () => {
    const dataDir = tempDir();
    let c = await startTestCluster({ flavour, dataDir });
    const port = c.port;
    const clock = new FakeClock();
    const health = healthLog();
    const prefix = freshPrefix();
    const store = await openStore(c.url, { prefix, clock, onHealth: health.onHealth, writes: { paceMs: 1, maxQueued: 2, backoff: { initialMs: 500, maxMs: 500 } } });
    try {
      await store.kv.put('acknowledged', 1);
      await c.close();
      const writes = Array.from({ length: 6 }, (_, i) => store.kv.put(`queued-${i}`, i));
      const settled = Promise.allSettled(writes);
      await health.until((h) => h.full);
      await health.until((h) => !h.healthy);
      expect(store.health).toMatchObject({ healthy: false, full: true, queued: 2 });
      c = await startTestCluster({ flavour, dataDir, port });
      await clock.advance(500);
      expect((await settled).map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
      await health.until((h) => h.healthy && !h.full);
      expect(await store.kv.get('acknowledged')).toBe(1);
      for (let i = 0; i < 6; i++) expect(await store.kv.get(`queued-${i}`)).toBe(i);
    } finally {
      await store.close();
      await c.close().catch(() => {});
    }
  });

  it('a store closed while the cluster is away rejects what it never got acknowledged, and says so', async () => {
    const store = await openStore(cluster.url, { writes: { paceMs: 1, backoff: { initialMs: 60_000, maxMs: 60_000 } } });
    await cluster.stop();
    try {
      const write = store.kv.put('never', 1);
      const failed = write.catch((e: unknown) => e);
      await new Promise<void>((resolve) => {
        const check = () => (store.health.healthy ? setImmediate(check) : resolve());
        check();
      });
      await store.close();
      expect(await failed).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('before the cluster acknowledged') });
    } finally {
      await cluster.start();
    }
  });
});
