/**
 * Conformance cases for reading many documents: search_after under a point in time, scroll, and
 * delete_by_query, each over a snapshot of the refreshed data (see docstore-suite.ts).
 */
import { expect, it } from 'vitest';
import { expectError, expectOk, type SuiteKit } from './docstore-suite.ts';
import type { DocClient } from './docstore-clients.ts';

async function seed(client: DocClient, index: string, n: number): Promise<void> {
  const operations = Array.from({ length: n }, (_, i) => [{ index: { _index: index, _id: `d${i + 1}` } }, { n: i + 1 }]).flat();
  const res = expectOk(await client.bulk({ operations, refresh: true }));
  expect(res.errors).toBe(false);
}

export function pagingCases(kit: SuiteKit): void {
  it('search_after under a point in time pages through a snapshot: writes made after it opened are not seen', async () => {
    const { client } = kit.target();
    const index = kit.index('pit');
    await seed(client, index, 5);
    const pit = expectOk(await client.openPit(index, '1m'));
    expect(typeof pit).toBe('string');
    expectOk(await client.index({ index, id: 'late', document: { n: 0 }, refresh: true }));
    const seen: number[] = [];
    let after: unknown[] | undefined;
    for (let page = 0; page < 5; page++) {
      const res = expectOk(await client.search({ body: { size: 2, pit: { id: pit, keep_alive: '1m' }, sort: [{ n: 'asc' }], ...(after ? { search_after: after } : {}) } }));
      expect(typeof res.pit_id).toBe('string');
      if (res.hits.hits.length === 0) break;
      for (const h of res.hits.hits) {
        seen.push((h._source as { n: number }).n);
        expect(h.sort![0]).toBe((h._source as { n: number }).n);
        // Elasticsearch adds the _shard_doc tie-breaker to a point-in-time sort (OpenSearch 2.19 and 3.1 do not).
        if (client.distribution === 'elasticsearch') expect(h.sort).toHaveLength(2);
      }
      after = res.hits.hits.at(-1)!.sort;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    // Outside the point in time the late write is there.
    expect(expectOk(await client.search({ index, body: { size: 0, track_total_hits: true } })).hits.total).toEqual({ value: 6, relation: 'eq' });
    expectOk(await client.closePit(pit));
    const closed = await client.search({ body: { pit: { id: pit }, size: 1 } });
    expect(closed.ok).toBe(false);
    expect(closed.status).toBe(404);
  });

  it('search_after without a point in time, on a sort with a unique field', async () => {
    const { client } = kit.target();
    const index = kit.index('after');
    await seed(client, index, 4);
    const first = expectOk(await client.search({ index, body: { size: 3, sort: [{ n: 'desc' }] } }));
    expect(first.hits.hits.map((h) => h.sort)).toEqual([[4], [3], [2]]);
    const next = expectOk(await client.search({ index, body: { size: 3, sort: [{ n: 'desc' }], search_after: [2] } }));
    expect(next.hits.hits.map((h) => h._id)).toEqual(['d1']);
    const mismatch = await client.search({ index, body: { sort: [{ n: 'desc' }], search_after: [2, 'x'] } });
    expect(mismatch.status).toBe(400);
  });

  it('scroll pages through a snapshot; a cleared scroll is gone', async () => {
    const { client } = kit.target();
    const index = kit.index('scroll');
    await seed(client, index, 5);
    const first = expectOk(await client.search({ index, scroll: '1m', body: { size: 2, sort: [{ n: 'asc' }] } }));
    expect(first.hits.total).toEqual({ value: 5, relation: 'eq' });
    const id = first._scroll_id!;
    expect(typeof id).toBe('string');
    expectOk(await client.index({ index, id: 'late', document: { n: 0 }, refresh: true }));
    const seen = first.hits.hits.map((h) => (h._source as { n: number }).n);
    for (;;) {
      const page = expectOk(await client.scroll(id, '1m'));
      if (page.hits.hits.length === 0) break;
      seen.push(...page.hits.hits.map((h) => (h._source as { n: number }).n));
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const cleared = expectOk(await client.clearScroll(id));
    expect(cleared).toEqual({ succeeded: true, num_freed: 1 });
    const gone = await client.scroll(id, '1m');
    expectError(gone, 404, 'search_phase_execution_exception');
    expect((gone.body as { error: { root_cause: Array<{ type: string }> } }).error.root_cause[0]!.type).toBe('search_context_missing_exception');
  });

  it('delete_by_query deletes what the refreshed view matches and leaves a later, unrefreshed write', async () => {
    const { client } = kit.target();
    const index = kit.index('dbq');
    expectOk(await client.createIndex(index, { settings: { index: { refresh_interval: '-1' } } }));
    await seed(client, index, 3);
    expectOk(await client.index({ index, id: 'unrefreshed', document: { n: 9 } }));
    const res = expectOk(await client.deleteByQuery(index, { match_all: {} }, { refresh: true }));
    expect(res).toMatchObject({ total: 3, deleted: 3, version_conflicts: 0, failures: [] });
    const left = expectOk(await client.search({ index, body: {} }));
    expect(left.hits.hits.map((h) => h._id)).toEqual(['unrefreshed']);
  });

  it('DELETE /{index}: acknowledged, then 404 index_not_found_exception', async () => {
    const { client } = kit.target();
    const index = kit.index('drop');
    expectOk(await client.createIndex(index, {}));
    expect(expectOk(await client.deleteIndex(index))).toEqual({ acknowledged: true });
    expect(await client.indexExists(index)).toBe(false);
    expectError(await client.deleteIndex(index), 404, 'index_not_found_exception', `no such index [${index}]`);
  });
}
