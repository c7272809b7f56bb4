/**
 * The bulk writer's item and request failures: an item the cluster rejects for a reason that passes
 * (429 `es_rejected_execution_exception`) is sent again, after the backoff, with the others' order
 * kept; a request refused for good (400) fails its operations at once and leaves the store healthy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { BulkWriter, type StoreHealth } from '../../../src/state/cluster/bulk-writer.ts';
import { docStore } from './kit.ts';

describe('bulk writer', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9' });
  });
  afterAll(() => cluster.close());

  it('sends again, after the backoff, an item rejected with 429; the other items are answered at once', async () => {
    const ds = docStore(cluster.url);
    const clock = new FakeClock();
    const health: StoreHealth[] = [];
    const writer = new BulkWriter(ds, { clock, logger: silentLogger(), paceMs: 1, backoff: { initialMs: 1000 }, onHealth: (h) => health.push(h) });
    let rejected = false;
    // The first request: the node's write queue is full for item 1 (applied: items 0 and 2).
    cluster.setFault((req) => {
      if (rejected || req.path !== '/_bulk') return undefined;
      rejected = true;
      cluster.store.write('bw', 'a', { n: 1 });
      cluster.store.write('bw', 'c', { n: 3 });
      const ok = (id: string) => ({ index: { _index: 'bw', _id: id, status: 201, result: 'created', _seq_no: 0, _primary_term: 1 } });
      const busy = { index: { _index: 'bw', _id: 'b', status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' } } };
      return { status: 200, body: { took: 1, errors: true, items: [ok('a'), busy, ok('c')] } };
    });
    try {
      const items = ['a', 'b', 'c'].map((id, i) => writer.submit({ op: 'index', index: 'bw', id, document: { n: i + 1 } }));
      const first = await Promise.race([Promise.all([items[0], items[2]]), items[1]]);
      expect(Array.isArray(first)).toBe(true);
      expect(health.at(-1)).toMatchObject({ healthy: false, error: expect.stringContaining('es_rejected_execution_exception') });
      await clock.advance(1000);
      expect(await items[1]).toMatchObject({ ok: true, id: 'b' });
      expect((await ds.get('bw', 'b'))?.source).toEqual({ n: 2 });
      expect(health.at(-1)).toMatchObject({ healthy: true });
    } finally {
      cluster.setFault(undefined);
      await writer.close();
      await ds.close();
    }
  });

  it('a request refused for good fails its operations at once, and the store stays healthy', async () => {
    const ds = docStore(cluster.url);
    const writer = new BulkWriter(ds, { clock: new FakeClock(), logger: silentLogger(), paceMs: 1 });
    cluster.setFault((req) => (req.path === '/_bulk' ? { status: 400, body: { error: { type: 'illegal_argument_exception', reason: 'malformed action/metadata line' }, status: 400 } } : undefined));
    try {
      const err = await writer.submit({ op: 'index', index: 'bw2', id: 'x', document: {} }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, type: 'illegal_argument_exception', retryable: false });
      expect(writer.health).toMatchObject({ healthy: true, queued: 0 });
    } finally {
      cluster.setFault(undefined);
      await writer.close();
      await ds.close();
    }
  });
});
