/**
 * The SearchClient conformance suite, run against the test cluster in every flavour
 * (search-client.test.ts) and against real clusters when configured (real-cluster.test.ts). It only
 * uses the SearchClient itself to write its data, so it works on any cluster.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { SearchClient } from '../../src/cluster/types.ts';
import { ClusterError } from '../../src/cluster/types.ts';

export interface SuiteTarget {
  client: SearchClient;
  expected: { distribution: 'elasticsearch' | 'opensearch'; major?: number };
  /** Stores a search template as a stored script (outside the SearchClient API). */
  putStoredScript(id: string, source: unknown): Promise<void>;
}

const HOUR = 3_600_000;

export function searchClientSuite(label: string, getTarget: () => SuiteTarget): void {
  describe(`SearchClient conformance: ${label}`, () => {
    const prefix = `vigil-suite-${randomBytes(4).toString('hex')}`;
    const logs = `${prefix}-logs`;
    const now = Date.now();
    const docs = [
      { '@timestamp': new Date(now - 10 * 60_000).toISOString(), level: 'ERROR', service: 'api', latency: 900 },
      { '@timestamp': new Date(now - 20 * 60_000).toISOString(), level: 'ERROR', service: 'web', latency: 700 },
      { '@timestamp': new Date(now - 30 * 60_000).toISOString(), level: 'INFO', service: 'api', latency: 100 },
      { '@timestamp': new Date(now - 3 * HOUR).toISOString(), level: 'WARN', service: 'api', latency: 300 },
      { '@timestamp': new Date(now - 30 * HOUR).toISOString(), level: 'ERROR', service: 'db', latency: 50 },
    ];

    beforeAll(async () => {
      const errors = await getTarget().client.bulkIndex(logs, docs, { refresh: 'wait_for' });
      expect(errors).toEqual([]);
    });

    it('info() reports the distribution and major version', async () => {
      const { client, expected } = getTarget();
      const info = await client.info();
      expect(info.distribution).toBe(expected.distribution);
      if (expected.major !== undefined) expect(info.major).toBe(expected.major);
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('count() with and without a query', async () => {
      const { client } = getTarget();
      expect(await client.count([logs])).toBe(5);
      expect(await client.count([logs], { term: { 'level.keyword': 'ERROR' } })).toBe(3);
    });

    it('search() with a bool/range query, sort, size and aggregations', async () => {
      const { client } = getTarget();
      const res = (await client.search({
        indices: [`${prefix}-*`],
        body: {
          size: 2,
          sort: [{ latency: { order: 'desc' } }],
          track_total_hits: true,
          query: { bool: { filter: [{ range: { '@timestamp': { gte: 'now-1h' } } }], must_not: [{ term: { 'service.keyword': 'db' } }] } },
          aggs: { levels: { terms: { field: 'level.keyword' }, aggs: { avg_latency: { avg: { field: 'latency' } } } } },
        },
        timeout: '10s',
      })) as { hits: { total: { value: number }; hits: Array<{ _source: { latency: number } }> }; aggregations: { levels: { buckets: Array<{ key: string; doc_count: number; avg_latency: { value: number } }> } } };
      expect(res.hits.total.value).toBe(3);
      expect(res.hits.hits.map((h) => h._source.latency)).toEqual([900, 700]);
      expect(res.aggregations.levels.buckets).toEqual([
        { key: 'ERROR', doc_count: 2, avg_latency: { value: 800 } },
        { key: 'INFO', doc_count: 1, avg_latency: { value: 100 } },
      ]);
    });

    it('search() with an inline and a stored template', async () => {
      const { client, putStoredScript } = getTarget();
      const source = { query: { term: { 'level.keyword': '{{level}}' } }, size: 0, track_total_hits: true };
      const inline = (await client.search({ indices: [logs], template: { source, params: { level: 'WARN' } } })) as { hits: { total: { value: number } } };
      expect(inline.hits.total.value).toBe(1);
      const id = `${prefix}-template`;
      await putStoredScript(id, source);
      const stored = (await client.search({ indices: [logs], template: { id, params: { level: 'ERROR' } } })) as { hits: { total: { value: number } } };
      expect(stored.hits.total.value).toBe(3);
    });

    it('indices_options: ignore_unavailable skips a missing index; without it the search fails with 404', async () => {
      const { client } = getTarget();
      const missing = `${prefix}-missing`;
      const ok = (await client.search({ indices: [logs, missing], body: { size: 0 }, indices_options: { ignore_unavailable: true } })) as { hits: { total: { value: number } } };
      expect(ok.hits.total.value).toBe(5);
      const err = await client.search({ indices: [missing], body: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ status: 404, type: 'index_not_found_exception', retryable: false });
      const none = await client
        .search({ indices: [`${prefix}-nothing-*`], body: {}, indices_options: { allow_no_indices: false, expand_wildcards: ['open'] } })
        .catch((e: unknown) => e);
      expect(none).toMatchObject({ status: 404, type: 'index_not_found_exception' });
    });

    it('a malformed query is a non-retryable 400 parsing_exception', async () => {
      const { client } = getTarget();
      const err = await client.search({ indices: [logs], body: { query: { no_such_query: {} } } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ status: 400, type: 'parsing_exception', retryable: false });
    });

    it('index() creates and updates with seq_no/primary_term, and enforces if_seq_no with 409', async () => {
      const { client } = getTarget();
      const index = `${prefix}-state`;
      const first = await client.index({ index, id: 'w1', document: { n: 1 }, refresh: 'wait_for' });
      expect(first).toMatchObject({ index, id: 'w1', result: 'created' });
      expect(typeof first.seqNo).toBe('number');
      expect(typeof first.primaryTerm).toBe('number');
      const second = await client.index({ index, id: 'w1', document: { n: 2 }, ifSeqNo: first.seqNo, ifPrimaryTerm: first.primaryTerm });
      expect(second.result).toBe('updated');
      expect(second.seqNo).toBeGreaterThan(first.seqNo!);
      const stale = await client.index({ index, id: 'w1', document: { n: 3 }, ifSeqNo: first.seqNo, ifPrimaryTerm: first.primaryTerm }).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ClusterError);
      expect(stale).toMatchObject({ status: 409, type: 'version_conflict_engine_exception', retryable: false });
      const dup = await client.index({ index, id: 'w1', document: {}, opType: 'create' }).catch((e: unknown) => e);
      expect(dup).toMatchObject({ status: 409 });
      const auto = await client.index({ index, document: { n: 4 } });
      expect(auto.id).toMatch(/.+/);
      expect(auto.result).toBe('created');
    });

    it('bulkIndex() reports per-item errors by position', async () => {
      const { client } = getTarget();
      const index = `${prefix}-bulk`;
      expect(await client.bulkIndex(index, [{ n: 1 }, { n: 2 }], { refresh: true })).toEqual([]);
      expect(await client.count([index])).toBe(2);
      // A number field given an object fails that item only.
      const errors = await client.bulkIndex(index, [{ n: 3 }, { n: { nested: true } }], { refresh: true });
      expect(errors.map((e) => e.position)).toEqual([1]);
      expect(errors[0]!.error).toMatch(/mapper_parsing_exception|document_parsing_exception/);
    });

    it('an aborted signal fails fast with a non-retryable ClusterError', async () => {
      const { client } = getTarget();
      const ac = new AbortController();
      ac.abort();
      const err = await client.search({ indices: [logs], body: {} }, { signal: ac.signal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ type: 'aborted', retryable: false });
    });
  });
}
