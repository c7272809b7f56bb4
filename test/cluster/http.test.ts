/**
 * The test cluster as curl meets it, and the differences between the products: `_bulk` NDJSON with
 * the content types curl sends (and the 406 `curl -d` gets), `_mapping`, `_cat/indices` as text,
 * error locations in a pretty-printed body, each product's point-in-time API, wildcard deletes and
 * sort restrictions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './server.ts';

let es: TestCluster;
let os: TestCluster;
beforeAll(async () => {
  [es, os] = await Promise.all([startTestCluster({ flavour: 'es9' }), startTestCluster({ flavour: 'os2' })]);
});
afterAll(() => Promise.all([es.close(), os.close()]));

async function call(c: TestCluster, method: string, path: string, body?: unknown, contentType: string | null = 'application/json'): Promise<{ status: number; text: string; json: any; type: string | null }> {
  const headers: Record<string, string> = contentType === null || body === undefined ? {} : { 'content-type': contentType };
  const text0 = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  // fetch labels a string body text/plain; bytes go without a Content-Type, as some tools send them.
  const res = await fetch(c.url + path, { method, headers, body: contentType === null && text0 !== undefined ? new TextEncoder().encode(text0) : text0 });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, type: res.headers.get('content-type') };
}

const NDJSON = '{"index":{"_index":"curl","_id":"1"}}\n{"msg":"one"}\n{"create":{"_index":"curl","_id":"2"}}\n{"msg":"two"}\n';

describe('as curl sends it', () => {
  it.each(['application/x-ndjson', 'application/json'])('_bulk takes NDJSON sent as %s (curl --data-binary)', async (type) => {
    const res = await call(es, 'POST', '/_bulk?refresh=true', NDJSON.replaceAll('curl', `curl-${type.length}`), type);
    expect(res.status).toBe(200);
    expect(res.json.errors).toBe(false);
    expect(res.json.items.map((i: Record<string, { status: number }>) => Object.values(i)[0]!.status)).toEqual([201, 201]);
  });

  it('a _bulk item without an id gets one, and its error names it', async () => {
    await call(es, 'PUT', '/ids', { mappings: { properties: { n: { type: 'long' } } } });
    const res = await call(es, 'POST', '/ids/_bulk', '{"index":{}}\n{"n":1}\n{"create":{}}\n{"n":"x"}\n', 'application/x-ndjson');
    const [ok, bad] = res.json.items.map((i: Record<string, { _id: string; status: number; error?: { reason: string } }>) => Object.values(i)[0]!);
    expect(ok._id).toMatch(/^[\w-]{20}$/);
    expect(bad.status).toBe(400);
    expect(bad.error!.reason).toContain(`in document with id '${bad._id}'`);
    expect(bad._id).toMatch(/^[\w-]{20}$/);
  });

  it('_bulk without the final newline is 400; form encoding (curl -d) and no Content-Type are 406', async () => {
    const unterminated = await call(es, 'POST', '/_bulk', NDJSON.trimEnd(), 'application/x-ndjson');
    expect(unterminated.status).toBe(400);
    expect(unterminated.json.error).toMatchObject({ type: 'illegal_argument_exception', reason: 'The bulk request must be terminated by a newline [\\n]' });
    const form = await call(es, 'POST', '/_bulk', NDJSON, 'application/x-www-form-urlencoded');
    expect(form.status).toBe(406);
    expect(form.json).toEqual({ error: 'Content-Type header [application/x-www-form-urlencoded] is not supported', status: 406 });
    const none = await call(os, 'POST', '/_bulk', NDJSON, null);
    expect(none.json).toEqual({ error: 'Content-Type header is missing', status: 406 });
  });

  it('GET /{index}/_mapping and GET /_mapping', async () => {
    await call(es, 'PUT', '/mapped', { mappings: { dynamic: 'strict', properties: { at: { type: 'date' }, tags: { type: 'keyword' } } } });
    const one = await call(es, 'GET', '/mapped/_mapping');
    expect(one.json).toEqual({ mapped: { mappings: { dynamic: 'strict', properties: { at: { type: 'date' }, tags: { type: 'keyword' } } } } });
    const all = await call(es, 'GET', '/_mapping');
    expect(Object.keys(all.json)).toContain('mapped');
    await call(es, 'PUT', '/mapped/_alias/m', {});
    const pretty = await call(es, 'GET', '/mapped/_alias?pretty');
    expect(pretty.text).toBe('{\n  "mapped" : {\n    "aliases" : {\n      "m" : { }\n    }\n  }\n}\n');
    const hits = await call(es, 'POST', '/mapped/_search?pretty', { size: 0 });
    expect(hits.text).toContain('"hits" : [ ]');
  });

  it('_cat/indices is an aligned text table (v adds headers, h picks columns) unless format=json', async () => {
    await call(es, 'PUT', '/cat-a/_doc/1?refresh=true', { n: 1 });
    const table = await call(es, 'GET', '/_cat/indices/cat-*?v&h=index,docs.count,rep');
    expect(table.type).toBe('text/plain; charset=UTF-8');
    expect(table.text).toBe('index docs.count rep\ncat-a 1          1\n');
    const json = await call(es, 'GET', '/_cat/indices/cat-*?format=json&h=index,health');
    expect(json.json).toEqual([{ index: 'cat-a', health: 'yellow' }]);
  });

  it('a strict mapping error names the line and column of the value in a pretty-printed body (Elasticsearch only)', async () => {
    const body = '{\n  "state": "x",\n  "extra": 1\n}\n';
    for (const c of [es, os]) await call(c, 'PUT', '/loc', { mappings: { dynamic: 'strict', properties: { state: { type: 'keyword' } } } });
    expect((await call(es, 'PUT', '/loc/_doc/1', body)).json.error.reason).toBe('[3:12] mapping set to strict, dynamic introduction of [extra] within [_doc] is not allowed');
    expect((await call(os, 'PUT', '/loc/_doc/1', body)).json.error.reason).toBe('mapping set to strict, dynamic introduction of [extra] within [_doc] is not allowed');
  });

  it('bad settings and mappings at index creation are the real 400s', async () => {
    const setting = await call(es, 'PUT', '/bad1', { settings: { 'index.refresh_intervall': '1s' } });
    expect(setting.json.error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: 'unknown setting [index.refresh_intervall] please check that any required plugins are installed, or check the breaking changes documentation for removed settings',
    });
    const param = await call(es, 'PUT', '/bad2', { mappings: { properties: { a: { type: 'keyword', analyzer: 'x', colour: 'red' } } } });
    expect(param.json.error).toMatchObject({
      type: 'mapper_parsing_exception',
      reason: 'Failed to parse mapping: unknown parameter [colour] on mapper [a] of type [keyword]',
      caused_by: { type: 'mapper_parsing_exception', reason: 'unknown parameter [colour] on mapper [a] of type [keyword]' },
    });
    const type = await call(os, 'PUT', '/bad3', { mappings: { properties: { a: { type: 'flattened' } } } });
    expect(type.json.error.reason).toBe('Failed to parse mapping: No handler for type [flattened] declared on field [a]');
    expect((await call(os, 'PUT', '/ok3', { mappings: { properties: { a: { type: 'flat_object' } } } })).status).toBe(200);
    expect((await call(es, 'HEAD', '/bad1')).status).toBe(404);
    expect((await call(es, 'PUT', '/Bad4', {})).json.error).toMatchObject({ type: 'invalid_index_name_exception', reason: 'Invalid index name [Bad4], must be lowercase', index: 'Bad4' });
  });
});

describe('paging and by-query without a client', () => {
  it('sort on _doc pages with search_after in write order', async () => {
    for (const id of ['c', 'a', 'b']) await call(es, 'PUT', `/bydoc/_doc/${id}`, { n: 1 });
    await call(es, 'POST', '/bydoc/_refresh');
    const first = await call(es, 'POST', '/bydoc/_search', { size: 2, sort: ['_doc'] });
    expect(first.json.hits.hits.map((h: { _id: string }) => h._id)).toEqual(['c', 'a']);
    const next = await call(es, 'POST', '/bydoc/_search', { size: 2, sort: ['_doc'], search_after: first.json.hits.hits[1].sort });
    expect(next.json.hits.hits.map((h: { _id: string }) => h._id)).toEqual(['b']);
  });

  it('_update_by_query indexes each match again (a new version), with the real response fields', async () => {
    await call(os, 'PUT', '/ubq/_doc/1?refresh=true', { n: 1 });
    await call(os, 'PUT', '/ubq/_doc/2?refresh=true', { n: 2 });
    const res = await call(os, 'POST', '/ubq/_update_by_query?refresh=true', { query: { term: { n: 2 } } });
    expect(res.json).toMatchObject({ timed_out: false, total: 1, updated: 1, deleted: 0, batches: 1, version_conflicts: 0, noops: 0, failures: [] });
    expect((await call(os, 'GET', '/ubq/_doc/2')).json._version).toBe(2);
    expect((await call(os, 'GET', '/ubq/_doc/1')).json._version).toBe(1);
  });
});

describe('what differs between the products', () => {
  it('points in time: Elasticsearch _pit, OpenSearch _search/point_in_time, each answering in its own shape', async () => {
    await call(os, 'PUT', '/p/_doc/1?refresh=true', { n: 1 });
    const created = await call(os, 'POST', '/p/_search/point_in_time?keep_alive=1m');
    expect(Object.keys(created.json).sort()).toEqual(['_shards', 'creation_time', 'pit_id']);
    const found = await call(os, 'POST', '/_search', { pit: { id: created.json.pit_id }, sort: [{ n: 'asc' }] });
    expect(found.json.pit_id).toBe(created.json.pit_id);
    expect(found.json.hits.hits[0].sort).toEqual([1]);
    const deleted = await call(os, 'DELETE', '/_search/point_in_time', { pit_id: [created.json.pit_id] });
    expect(deleted.json).toEqual({ pits: [{ pit_id: created.json.pit_id, successful: true }] });
    expect((await call(os, 'POST', '/p/_pit?keep_alive=1m')).json.error).toMatch(/^no handler found for uri/);
    await call(es, 'PUT', '/p/_doc/1?refresh=true', { n: 1 });
    const pit = await call(es, 'POST', '/p/_pit?keep_alive=1m');
    expect(Object.keys(pit.json).sort()).toEqual(['_shards', 'id']);
    const withIndex = await call(es, 'POST', '/p/_search', { pit: { id: pit.json.id } });
    expect(withIndex.json.error.reason).toBe('Validation Failed: 1: [indices] cannot be used with point in time. Do not specify any index with point in time.;');
    expect((await call(es, 'DELETE', '/_pit', { id: pit.json.id })).json).toEqual({ succeeded: true, num_freed: 1 });
    expect((await call(es, 'DELETE', '/_pit', { id: pit.json.id })).json).toEqual({ succeeded: true, num_freed: 0 });
  });

  it('wildcard deletes: refused by Elasticsearch (destructive_requires_name), done by OpenSearch (hidden indices spared)', async () => {
    for (const c of [es, os]) {
      await call(c, 'PUT', '/wild-1', {});
      await call(c, 'PUT', '/wild-2', { settings: { index: { hidden: true } } });
    }
    expect((await call(es, 'DELETE', '/wild-*')).json.error.reason).toBe('Wildcard expressions or all indices are not allowed');
    expect((await call(os, 'DELETE', '/wild-*')).json).toEqual({ acknowledged: true });
    expect((await call(os, 'HEAD', '/wild-1')).status).toBe(404);
    expect((await call(os, 'HEAD', '/wild-2')).status).toBe(200);
  });

  it('sorting: _id only on OpenSearch; _shard_doc only under a point in time on Elasticsearch, unknown to OpenSearch', async () => {
    for (const c of [es, os]) await call(c, 'PUT', '/s/_doc/b?refresh=true', { n: 1 });
    const esId = await call(es, 'POST', '/s/_search', { sort: ['_id'] });
    expect(esId.status).toBe(400);
    expect(esId.json.error.caused_by.reason).toMatch(/^Fielddata access on the _id field is disallowed/);
    expect((await call(os, 'POST', '/s/_search', { sort: ['_id'] })).json.hits.hits[0].sort).toEqual(['b']);
    const esShardDoc = await call(es, 'POST', '/s/_search', { sort: ['_shard_doc'] });
    expect(esShardDoc.json.error).toMatchObject({ type: 'action_request_validation_exception', reason: 'Validation Failed: 1: [_shard_doc] sort field cannot be used without [point in time];' });
    const osShardDoc = await call(os, 'POST', '/s/_search', { sort: ['_shard_doc'] });
    expect(osShardDoc.json.error.caused_by).toMatchObject({ type: 'query_shard_exception', reason: 'No mapping found for [_shard_doc] in order to sort on' });
  });
});
