/**
 * The document store (src/cluster/docstore.ts) against the test cluster in every flavour, through the
 * client it picks for that product and major: realtime reads, compare-and-set, `_bulk` item results,
 * paged scans over a point in time, index and template management, and errors that say what failed
 * without a credential.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import { createDocStore } from '../../../src/cluster/docstore.ts';
import { isVersionConflict, type DocStoreClient } from '../../../src/cluster/docstore-types.ts';
import { ClusterError } from '../../../src/cluster/types.ts';
import { silentLogger } from '../../../src/log.ts';

describe.each(FLAVOURS)('document store on %s', (flavour) => {
  let cluster: TestCluster;
  let ds: DocStoreClient;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
    ds = createDocStore({ name: 't', urls: [cluster.url] }, silentLogger());
  });
  afterAll(async () => {
    await ds.close();
    await cluster.close();
  });

  it('reads its own writes at once (realtime GET and mget), before any refresh', async () => {
    const w = await ds.write({ op: 'create', index: 'rt', id: 'a', document: { n: 1 } });
    expect(w).toMatchObject({ index: 'rt', id: 'a', result: 'created' });
    expect(await ds.get('rt', 'a')).toEqual({ index: 'rt', id: 'a', seqNo: w.seqNo, primaryTerm: w.primaryTerm, source: { n: 1 } });
    expect(await ds.get('rt', 'missing')).toBeUndefined();
    const [a, none, other] = await ds.mget([{ index: 'rt', id: 'a' }, { index: 'rt', id: 'b' }, { index: 'no-such-index', id: 'x' }]);
    expect(a?.source).toEqual({ n: 1 });
    expect(none).toBeUndefined();
    expect(other).toBeUndefined();
    expect((await ds.search('rt', { query: { match_all: {} } })).total).toBe(0);
  });

  it('compare-and-set: a stale version or an existing id under create is a recognisable 409', async () => {
    const first = await ds.write({ op: 'index', index: 'cas', id: 'd', document: { v: 1 } });
    const cas = { ifSeqNo: first.seqNo, ifPrimaryTerm: first.primaryTerm };
    await ds.write({ op: 'index', index: 'cas', id: 'd', document: { v: 2 }, cas });
    const stale = await ds.write({ op: 'index', index: 'cas', id: 'd', document: { v: 3 }, cas }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ClusterError);
    expect(isVersionConflict(stale)).toBe(true);
    expect(isVersionConflict(await ds.write({ op: 'create', index: 'cas', id: 'd', document: {} }).catch((e: unknown) => e))).toBe(true);
    expect((await ds.get('cas', 'd'))?.source).toEqual({ v: 2 });
  });

  it('bulk: one result per operation in order; a failed item fails alone', async () => {
    const items = await ds.bulk([
      { op: 'create', index: 'b', id: '1', document: { n: 1 } },
      { op: 'create', index: 'b', id: '1', document: { n: 2 } },
      { op: 'update', index: 'b', id: '1', doc: { m: 1 } },
      { op: 'update', index: 'b', id: 'nope', doc: { m: 1 } },
      { op: 'delete', index: 'b', id: 'nope' },
      { op: 'index', index: 'b', id: '2', document: { n: 2 }, cas: { ifSeqNo: 99, ifPrimaryTerm: 1 } },
    ]);
    expect(items.map((i) => i.ok)).toEqual([true, false, true, false, true, false]);
    expect(items.map((i) => i.status)).toEqual([201, 409, 200, 404, 404, 409]);
    expect(isVersionConflict(!items[1]!.ok && items[1]!.error)).toBe(true);
    expect((await ds.get('b', '1'))?.source).toEqual({ n: 1, m: 1 });
  });

  it('scans every match in sort order over a point in time, page by page', async () => {
    await ds.bulk(Array.from({ length: 23 }, (_, i) => ({ op: 'index' as const, index: 'scan', id: String(i), document: { k: `k${String(i).padStart(2, '0')}`, even: i % 2 === 0 } })), { refresh: true });
    const seen: string[] = [];
    for await (const d of ds.scan<{ k: string }>('scan', { term: { even: true } }, [{ 'k.keyword': 'asc' }], 5)) seen.push(d.source.k);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `k${String(i * 2).padStart(2, '0')}`));
    expect(await ds.count('scan', { term: { even: false } })).toBe(11);
    expect(await ds.deleteByQuery('scan', { term: { even: false } })).toBe(11);
  });

  it('manages indices (hidden, strict, _meta), mappings and templates', async () => {
    const spec = { settings: { index: { hidden: true, number_of_replicas: 0 } }, mappings: { dynamic: 'strict', _meta: { v: 1 }, properties: { a: { type: 'keyword' } } } };
    expect(await ds.createIndex('vm-x', spec)).toBe(true);
    expect(await ds.createIndex('vm-x', spec)).toBe(false);
    await ds.putMapping('vm-x', { _meta: { v: 2 }, properties: { b: { type: 'long' } } });
    const m = (await ds.getMapping('vm-x'))['vm-x']!;
    expect(m._meta).toEqual({ v: 2 });
    expect(Object.keys(m.properties as object).sort()).toEqual(['a', 'b']);
    const strict = await ds.write({ op: 'index', index: 'vm-x', id: '1', document: { c: 1 } }).catch((e: unknown) => e);
    expect(strict).toMatchObject({ status: 400, type: 'strict_dynamic_mapping_exception' });
    await ds.putIndexTemplate('vm-t', { index_patterns: ['vm-t-*'], template: { settings: { index: { hidden: true } }, mappings: { properties: { t: { type: 'keyword' } } } }, _meta: { v: 1 } });
    expect(await ds.getIndexTemplate('vm-t')).toMatchObject({ index_patterns: ['vm-t-*'], _meta: { v: 1 } });
    expect(await ds.getIndexTemplate('vm-none')).toBeUndefined();
    await ds.write({ op: 'index', index: 'vm-t-1', id: '1', document: { t: 'x' } }, { refresh: true });
    expect((await ds.listIndices('vm-*')).map((i) => i.index)).toEqual(['vm-t-1', 'vm-x']);
    expect((await ds.listIndices('vm-t-*'))[0]!.docsCount).toBe(1);
    await ds.deleteIndex('vm-t-1');
    await ds.deleteIndexTemplate('vm-t');
    expect(await ds.listIndices('vm-t-*')).toEqual([]);
  });

  it('an unreachable cluster is a retryable ClusterError that names no credential', async () => {
    const down = createDocStore({ name: 'down', urls: ['http://kirk:s3cr3t-pass@127.0.0.1:1'], requestTimeoutMs: 2000 }, silentLogger());
    const err = await down.get('x', 'y').catch((e: unknown) => e);
    await down.close();
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ retryable: true });
    expect(String((err as Error).message)).not.toContain('s3cr3t');
  });

  it('authenticates with the configured credentials; a refusal names neither the password nor the header', async () => {
    const secured = await startTestCluster({ flavour, auth: { username: 'vigil', password: 'c0rrect-h0rse' } });
    const good = createDocStore({ name: 's', urls: [secured.url], auth: { username: 'vigil', password: 'c0rrect-h0rse' } }, silentLogger());
    const bad = createDocStore({ name: 's', urls: [secured.url.replace('://', '://vigil:wr0ng-battery@')] }, silentLogger());
    try {
      await good.write({ op: 'index', index: 'sec', id: '1', document: { a: 1 } });
      expect((await good.get('sec', '1'))?.source).toEqual({ a: 1 });
      const err = await bad.get('sec', '1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ status: 401, retryable: false });
      const shown = JSON.stringify({ message: (err as Error).message, cause: (err as Error).cause });
      expect(shown).not.toContain('wr0ng-battery');
      expect(shown).not.toContain(Buffer.from('vigil:wr0ng-battery').toString('base64'));
    } finally {
      await good.close();
      await bad.close();
      await secured.close();
    }
  });
});
