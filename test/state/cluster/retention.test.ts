/**
 * Retention on the cluster deletes whole time-based indices, never documents one by one: execution-log
 * days past the retention (or beyond the records to keep), audit months past theirs. The current day
 * is never deleted, indices of another shape under the pattern are never touched, and retention 0
 * leaves everything to an ILM/ISM policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { logRecord } from '../store-suite.ts';
import { docStore, freshPrefix, openStore } from './kit.ts';

const NOW = Date.UTC(2026, 2, 10, 12);
const DAY = 86_400_000;

describe.each(FLAVOURS)('retention on %s', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());

  async function storeWithDays(retentionDays: number) {
    const prefix = freshPrefix();
    const clock = new FakeClock(NOW);
    const store = await openStore(cluster.url, { prefix, clock, logRetentionDays: retentionDays });
    for (const [i, age] of [49, 18, 18, 1, 0].entries()) await store.log.append(logRecord(`r${i}`, {}, NOW - age * DAY));
    const ds = docStore(cluster.url);
    // An index a user made under the pattern: not one of ours, never deleted.
    await ds.createIndex(`${prefix}-log-archive`, {});
    const days = async () => (await ds.listIndices(`${prefix}-log-*`)).map((i) => i.index.slice(prefix.length + 5));
    return { store, ds, days, close: async () => (await store.close(), await ds.close()) };
  }

  it('deletes the days past the retention, whole, and says how many records went with them', async () => {
    const s = await storeWithDays(30);
    try {
      expect(await s.days()).toEqual(['2026.01.20', '2026.02.20', '2026.03.09', '2026.03.10', 'archive']);
      expect(await s.store.log.prune(1_000_000)).toBe(1);
      expect(await s.days()).toEqual(['2026.02.20', '2026.03.09', '2026.03.10', 'archive']);
      expect((await s.store.log.query({})).map((r) => r.id)).toEqual(['r4', 'r3', 'r2', 'r1']);
    } finally {
      await s.close();
    }
  });

  it('deletes the oldest days while the newer ones hold the records to keep, never today', async () => {
    const s = await storeWithDays(30);
    try {
      // Today (1) and yesterday (1) hold 2: February's day (2 records) and January's go.
      expect(await s.store.log.prune(2)).toBe(3);
      expect(await s.days()).toEqual(['2026.03.09', '2026.03.10', 'archive']);
      await s.store.log.prune(0);
      expect(await s.days()).toEqual(['2026.03.10', 'archive']);
    } finally {
      await s.close();
    }
  });

  it('retention 0 deletes nothing (an ILM/ISM policy does)', async () => {
    const s = await storeWithDays(0);
    try {
      expect(await s.store.log.prune(0)).toBe(0);
      expect(await s.days()).toHaveLength(5);
    } finally {
      await s.close();
    }
  });

  it('audit months past their retention are deleted whole', async () => {
    const prefix = freshPrefix();
    const clock = new FakeClock(NOW);
    const store = await openStore(cluster.url, { prefix, clock, auditRetentionDays: 90 });
    const ds = docStore(cluster.url);
    try {
      for (const m of ['2025.10', '2025.11', '2025.12']) await ds.createIndex(`${prefix}-audit-${m}`, {});
      await store.security.audit.append([{ time: NOW, user: 'kirk', address: '10.0.0.1', method: 'GET', path: '/x', outcome: 'SUCCESS', status: 200, count: 1 }]);
      // 90 days before 10 March is 10 December: October and November ended before it.
      expect((await ds.listIndices(`${prefix}-audit-*`)).map((i) => i.index.slice(prefix.length + 7))).toEqual(['2025.12', '2026.03']);
      expect((await store.security.audit.query({})).total).toBe(1);
    } finally {
      await store.close();
      await ds.close();
    }
  });
});
