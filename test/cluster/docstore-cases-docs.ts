/**
 * Conformance cases for single documents, `_update`, `_mget` and `_bulk` (see docstore-suite.ts).
 */
import { expect, it } from 'vitest';
import { expectError, expectOk, type SuiteKit } from './docstore-suite.ts';

export function documentCases(kit: SuiteKit): void {
  it('index: created (201) then updated (200), _seq_no rising per index, _primary_term 1, _version and _shards', async () => {
    const { client } = kit.target();
    const index = kit.index('write');
    const a = expectOk(await client.index({ index, id: 'a', document: { n: 1 } }), 201);
    expect(a).toMatchObject({ _index: index, _id: 'a', _version: 1, result: 'created', _seq_no: 0, _primary_term: 1 });
    expect(a._shards).toMatchObject({ successful: 1, failed: 0 });
    const b = expectOk(await client.index({ index, id: 'b', document: { n: 2 } }), 201);
    expect(b._seq_no).toBe(1);
    const a2 = expectOk(await client.index({ index, id: 'a', document: { n: 3 } }), 200);
    expect(a2).toMatchObject({ _version: 2, result: 'updated', _seq_no: 2, _primary_term: 1 });
    const auto = expectOk(await client.index({ index, document: { n: 4 } }), 201);
    expect(auto._id).toMatch(/^[\w-]{20}$/);
  });

  it('if_seq_no/if_primary_term: a stale pair and a missing document are 409 version_conflict_engine_exception with the real reason', async () => {
    const { client } = kit.target();
    const index = kit.index('cas');
    const first = expectOk(await client.index({ index, id: 'w', document: { v: 1 } }));
    const second = expectOk(await client.index({ index, id: 'w', document: { v: 2 }, if_seq_no: first._seq_no, if_primary_term: first._primary_term }), 200);
    expect(second._seq_no).toBe(first._seq_no! + 1);
    const stale = await client.index({ index, id: 'w', document: { v: 3 }, if_seq_no: first._seq_no, if_primary_term: first._primary_term });
    const err = expectError(stale, 409, 'version_conflict_engine_exception', `[w]: version conflict, required seqNo [${first._seq_no}], primary term [1]. current document has seqNo [${second._seq_no}] and primary term [1]`);
    expect(err).toMatchObject({ shard: '0', index });
    expect(typeof err.index_uuid).toBe('string');
    expect(err.root_cause[0]).toMatchObject({ type: 'version_conflict_engine_exception', index });
    const missing = await client.index({ index, id: 'none', document: {}, if_seq_no: 0, if_primary_term: 1 });
    expectError(missing, 409, 'version_conflict_engine_exception', '[none]: version conflict, required seqNo [0], primary term [1]. but no document was found');
    const got = expectOk(await client.get({ index, id: 'w' }));
    expect(got._source).toEqual({ v: 2 });
  });

  it('op_type=create: an existing id is 409 "document already exists (current version [n])"', async () => {
    const { client } = kit.target();
    const index = kit.index('create');
    expectOk(await client.index({ index, id: 'c', document: { n: 1 }, op_type: 'create' }), 201);
    expectOk(await client.index({ index, id: 'c', document: { n: 2 } }), 200);
    const dup = await client.index({ index, id: 'c', document: { n: 3 }, op_type: 'create' });
    expectError(dup, 409, 'version_conflict_engine_exception', '[c]: version conflict, document already exists (current version [2])');
  });

  it('external versions: the given version is stored; one not above the current is 409 (external_gte allows equal)', async () => {
    const { client } = kit.target();
    const index = kit.index('external');
    expect(expectOk(await client.index({ index, id: 'e', document: { n: 1 }, version: 5, version_type: 'external' }), 201)._version).toBe(5);
    const older = await client.index({ index, id: 'e', document: { n: 2 }, version: 5, version_type: 'external' });
    expectError(older, 409, 'version_conflict_engine_exception', '[e]: version conflict, current version [5] is higher or equal to the one provided [5]');
    expect(expectOk(await client.index({ index, id: 'e', document: { n: 3 }, version: 5, version_type: 'external_gte' }), 200)._version).toBe(5);
    expect(expectOk(await client.index({ index, id: 'e', document: { n: 4 }, version: 9, version_type: 'external' }))._version).toBe(9);
    const internal = await client.index({ index, id: 'e', document: { n: 5 }, version: 10 } as never);
    expectError(internal, 400, 'action_request_validation_exception', /internal versioning can not be used for optimistic concurrency control/);
  });

  it('realtime GET sees a write at once; search and realtime=false GET only after a refresh', async () => {
    const { client } = kit.target();
    const index = kit.index('nrt');
    // No periodic refresh: only the explicit one below makes the write searchable.
    expectOk(await client.createIndex(index, { settings: { index: { refresh_interval: '-1' } } }));
    expectOk(await client.index({ index, id: '1', document: { state: 'new' } }));
    const got = expectOk(await client.get({ index, id: '1' }));
    expect(got).toMatchObject({ _index: index, _id: '1', _version: 1, _seq_no: 0, _primary_term: 1, found: true, _source: { state: 'new' } });
    const before = expectOk(await client.search({ index, body: { query: { match_all: {} } } }));
    expect(before.hits.total).toEqual({ value: 0, relation: 'eq' });
    const notYet = await client.get({ index, id: '1', realtime: false });
    expect(notYet.status).toBe(404);
    expect(notYet.body).toMatchObject({ found: false });
    const refreshed = expectOk(await client.refresh(index));
    expect(refreshed._shards).toMatchObject({ successful: 1, failed: 0 });
    const after = expectOk(await client.search({ index, body: { query: { match_all: {} }, seq_no_primary_term: true } }));
    expect(after.hits.hits).toEqual([expect.objectContaining({ _id: '1', _seq_no: 0, _primary_term: 1, _source: { state: 'new' } })]);
    expect(expectOk(await client.get({ index, id: '1', realtime: false })).found).toBe(true);
  });

  it('GET: a missing document is 404 found:false, a missing index 404 index_not_found_exception; HEAD; _source filtering', async () => {
    const { client } = kit.target();
    const index = kit.index('get');
    expectOk(await client.index({ index, id: 'x', document: { a: 1, b: { c: 2, d: 3 } } }));
    const missing = await client.get({ index, id: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ _index: index, _id: 'nope', found: false });
    const noIndex = await client.get({ index: kit.index('never-created'), id: 'x' });
    expectError(noIndex, 404, 'index_not_found_exception', `no such index [${kit.prefix}-never-created]`);
    expect(await client.exists({ index, id: 'x' })).toBe(true);
    expect(await client.exists({ index, id: 'nope' })).toBe(false);
    expect(expectOk(await client.get({ index, id: 'x', _source: ['b.c'] }))._source).toEqual({ b: { c: 2 } });
    expect(expectOk(await client.get({ index, id: 'x', _source: false }))._source).toBeUndefined();
  });

  it('delete: deleted (200), then not_found (404) taking a new _seq_no; CAS applies; a re-created document continues the version', async () => {
    const { client } = kit.target();
    const index = kit.index('delete');
    const w = expectOk(await client.index({ index, id: 'd', document: { n: 1 } }));
    const stale = await client.delete({ index, id: 'd', if_seq_no: w._seq_no! + 5, if_primary_term: 1 });
    expectError(stale, 409, 'version_conflict_engine_exception', `[d]: version conflict, required seqNo [${w._seq_no! + 5}], primary term [1]. current document has seqNo [${w._seq_no}] and primary term [1]`);
    const del = expectOk(await client.delete({ index, id: 'd', if_seq_no: w._seq_no, if_primary_term: 1 }), 200);
    expect(del).toMatchObject({ _index: index, _id: 'd', _version: 2, result: 'deleted', _seq_no: 1, _primary_term: 1 });
    const again = await client.delete({ index, id: 'd' });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ _index: index, _id: 'd', result: 'not_found', _seq_no: 2, _primary_term: 1 });
    const back = expectOk(await client.index({ index, id: 'd', document: { n: 2 } }), 201);
    expect(back).toMatchObject({ result: 'created', _version: 4, _seq_no: 3 });
  });

  it('update: merges a partial doc, noop when nothing changes, doc_as_upsert creates, a missing document is 404, CAS is 409', async () => {
    const { client } = kit.target();
    const index = kit.index('update');
    const w = expectOk(await client.index({ index, id: 'u', document: { a: 1, o: { x: 1, y: 2 }, list: [1, 2] } }));
    const up = expectOk(await client.update({ index, id: 'u', body: { doc: { o: { y: 3 }, list: [9] } } }), 200);
    expect(up).toMatchObject({ _index: index, _id: 'u', _version: 2, result: 'updated', _seq_no: w._seq_no! + 1, _primary_term: 1 });
    expect(expectOk(await client.get({ index, id: 'u' }))._source).toEqual({ a: 1, o: { x: 1, y: 3 }, list: [9] });
    const noop = expectOk(await client.update({ index, id: 'u', body: { doc: { a: 1 } } }), 200);
    expect(noop).toMatchObject({ _version: 2, result: 'noop', _seq_no: up._seq_no, _shards: { total: 0, successful: 0, failed: 0 } });
    const created = expectOk(await client.update({ index, id: 'new', body: { doc: { a: 5 }, doc_as_upsert: true } }), 201);
    expect(created).toMatchObject({ result: 'created', _version: 1 });
    const upserted = expectOk(await client.update({ index, id: 'up', body: { doc: { a: 1 }, upsert: { a: 0, fresh: true } } }), 201);
    expect(upserted.result).toBe('created');
    expect(expectOk(await client.get({ index, id: 'up' }))._source).toEqual({ a: 0, fresh: true });
    const missing = await client.update({ index, id: 'ghost', body: { doc: { a: 1 } } });
    const err = expectError(missing, 404, 'document_missing_exception', '[ghost]: document missing');
    expect(err).toMatchObject({ shard: '0', index });
    const stale = await client.update({ index, id: 'u', body: { doc: { a: 2 } }, if_seq_no: w._seq_no, if_primary_term: 1 });
    expectError(stale, 409, 'version_conflict_engine_exception', `[u]: version conflict, required seqNo [${w._seq_no}], primary term [1]. current document has seqNo [${up._seq_no}] and primary term [1]`);
  });

  it('mget by docs and by ids: found, not found, and a missing index as that item\'s error', async () => {
    const { client } = kit.target();
    const index = kit.index('mget');
    expectOk(await client.index({ index, id: '1', document: { n: 1 } }));
    expectOk(await client.index({ index, id: '2', document: { n: 2 } }));
    const missingIndex = kit.index('mget-missing');
    const byDocs = expectOk(await client.mget({ body: { docs: [{ _index: index, _id: '1' }, { _index: index, _id: '3' }, { _index: missingIndex, _id: '1' }] } }));
    expect(byDocs.docs[0]).toEqual({ _index: index, _id: '1', _version: 1, _seq_no: 0, _primary_term: 1, found: true, _source: { n: 1 } });
    expect(byDocs.docs[1]).toEqual({ _index: index, _id: '3', found: false });
    expect(byDocs.docs[2]).toMatchObject({ _index: missingIndex, _id: '1', error: { type: 'index_not_found_exception', reason: `no such index [${missingIndex}]` } });
    const byIds = expectOk(await client.mget({ index, body: { ids: ['2', '1'] } }));
    expect(byIds.docs.map((d) => ('found' in d ? d._source : undefined))).toEqual([{ n: 2 }, { n: 1 }]);
  });

  it('bulk: per-item results and errors with their statuses, errors: true, other items applied', async () => {
    const { client } = kit.target();
    const index = kit.index('bulk');
    expectOk(await client.createIndex(index, { mappings: { properties: { n: { type: 'long' } } } }));
    const res = expectOk(
      await client.bulk({
        refresh: true,
        operations: [
          { index: { _index: index, _id: '1' } }, { n: 1 },
          { create: { _index: index, _id: '1' } }, { n: 2 },
          { index: { _index: index, _id: '2' } }, { n: 'not a number' },
          { update: { _index: index, _id: '1' } }, { doc: { n: 5 } },
          { update: { _index: index, _id: 'ghost' } }, { doc: { n: 1 } },
          { delete: { _index: index, _id: 'nope' } },
          { create: { _index: index, _id: '3' } }, { n: 3 },
        ],
      }),
    );
    expect(res.errors).toBe(true);
    expect(res.items.map((i) => Object.keys(i)[0])).toEqual(['index', 'create', 'index', 'update', 'update', 'delete', 'create']);
    const items = res.items.map((i) => Object.values(i)[0]!);
    expect(items.map((i) => i.status)).toEqual([201, 409, 400, 200, 404, 404, 201]);
    expect(items[0]).toMatchObject({ _index: index, _id: '1', _version: 1, result: 'created', _seq_no: 0, _primary_term: 1 });
    expect(items[1]!.error).toMatchObject({ type: 'version_conflict_engine_exception', reason: '[1]: version conflict, document already exists (current version [1])', index, shard: '0' });
    expect(items[1]!.error!.root_cause).toBeUndefined();
    expect(items[2]!.error!.type).toBe(client.distribution === 'elasticsearch' ? 'document_parsing_exception' : 'mapper_parsing_exception');
    expect(items[2]!.error!.reason).toMatch(/failed to parse field \[n\] of type \[long\] in document with id '2'/);
    expect(items[3]).toMatchObject({ result: 'updated', _version: 2 });
    expect(items[4]!.error).toMatchObject({ type: 'document_missing_exception', reason: '[ghost]: document missing' });
    expect(items[5]).toMatchObject({ result: 'not_found', _id: 'nope' });
    const found = expectOk(await client.search({ index, body: { sort: [{ n: 'asc' }] } }));
    expect(found.hits.hits.map((h) => h._source)).toEqual([{ n: 3 }, { n: 5 }]);
  });

  it('refresh=true answers forced_refresh; refresh=wait_for answers once a search sees the write', async () => {
    const { client } = kit.target();
    const index = kit.index('refresh');
    const forced = expectOk(await client.index({ index, id: '1', document: { n: 1 }, refresh: true }));
    expect(forced.forced_refresh).toBe(true);
    const waited = expectOk(await client.index({ index, id: '2', document: { n: 2 }, refresh: 'wait_for' }));
    expect(waited.forced_refresh).toBeUndefined();
    const found = expectOk(await client.search({ index, body: { query: { match_all: {} } } }));
    expect(found.hits.total).toEqual({ value: 2, relation: 'eq' });
  });
}
