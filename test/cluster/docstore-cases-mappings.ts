/**
 * Conformance cases for indices: mappings (strict, dynamic, updates), settings, hidden indices,
 * index templates and aliases (see docstore-suite.ts).
 */
import { expect, it } from 'vitest';
import { expectError, expectOk, type SuiteKit } from './docstore-suite.ts';

export function mappingCases(kit: SuiteKit): void {
  it('strict mappings: an unknown field is 400 strict_dynamic_mapping_exception at the root and in an object; nothing is written', async () => {
    const { client } = kit.target();
    const index = kit.index('strict');
    const mappings = { dynamic: 'strict', properties: { state: { type: 'keyword' }, lease: { properties: { owner: { type: 'keyword' }, until: { type: 'date' } } } } };
    expectOk(await client.createIndex(index, { settings: { index: { hidden: true } }, mappings }), 200);
    const got = expectOk(await client.getMapping(index));
    expect(got[index]!.mappings).toEqual(mappings);
    // Elasticsearch prefixes the reason with the line:column of the offending value; OpenSearch does not.
    const where = client.distribution === 'elasticsearch' ? '\\[1:\\d+\\] ' : '';
    const root = await client.index({ index, id: '1', document: { state: 'x', extra: 1 } });
    expectError(root, 400, 'strict_dynamic_mapping_exception', new RegExp(`^${where}mapping set to strict, dynamic introduction of \\[extra\\] within \\[_doc\\] is not allowed$`));
    const inner = await client.index({ index, id: '1', document: { lease: { owner: 'a', other: true } } });
    expectError(inner, 400, 'strict_dynamic_mapping_exception', new RegExp(`^${where}mapping set to strict, dynamic introduction of \\[other\\] within \\[lease\\] is not allowed$`));
    const badDate = await client.index({ index, id: '1', document: { lease: { until: 'soon' } } });
    expectError(badDate, 400, client.distribution === 'elasticsearch' ? 'document_parsing_exception' : 'mapper_parsing_exception', /failed to parse field \[lease\.until\] of type \[date\] in document with id '1'/);
    expect(await client.exists({ index, id: '1' })).toBe(false);
    expectOk(await client.index({ index, id: '1', document: { state: 'ok', lease: { owner: 'a', until: '2030-01-01T00:00:00Z' } } }), 201);
  });

  it('PUT _mapping adds fields; changing a field type is 400 illegal_argument_exception and changes nothing', async () => {
    const { client } = kit.target();
    const index = kit.index('put-mapping');
    expectOk(await client.createIndex(index, { mappings: { dynamic: 'strict', properties: { n: { type: 'long' } } } }));
    expectOk(await client.putMapping(index, { properties: { s: { type: 'keyword' } } }));
    const conflict = await client.putMapping(index, { properties: { n: { type: 'keyword' }, t: { type: 'text' } } });
    expectError(conflict, 400, 'illegal_argument_exception', 'mapper [n] cannot be changed from type [long] to [keyword]');
    expect(expectOk(await client.getMapping(index))[index]!.mappings).toEqual({ dynamic: 'strict', properties: { n: { type: 'long' }, s: { type: 'keyword' } } });
  });

  it('dynamic mapping: strings become text with a keyword sub-field, numbers long or float, dates, booleans, objects; dynamic false leaves a field unindexed', async () => {
    const { client } = kit.target();
    const index = kit.index('dynamic');
    expectOk(await client.index({ index, id: '1', document: { s: 'hello world', i: 3, f: 1.5, b: true, d: '2024-05-01T10:00:00Z', o: { k: 'v' } }, refresh: true }));
    const props = expectOk(await client.getMapping(index))[index]!.mappings.properties!;
    expect(props).toEqual({
      s: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      i: { type: 'long' },
      f: { type: 'float' },
      b: { type: 'boolean' },
      d: { type: 'date' },
      o: { properties: { k: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } } },
    });
    const hits = expectOk(await client.search({ index, body: { query: { term: { 's.keyword': 'hello world' } } } }));
    expect(hits.hits.total).toEqual({ value: 1, relation: 'eq' });

    const loose = kit.index('dynamic-false');
    expectOk(await client.createIndex(loose, { mappings: { dynamic: false, properties: { k: { type: 'keyword' } } } }));
    expectOk(await client.index({ index: loose, id: '1', document: { k: 'a', free: 'text' }, refresh: true }));
    expect(expectOk(await client.get({ index: loose, id: '1' }))._source).toEqual({ k: 'a', free: 'text' });
    expect(expectOk(await client.search({ index: loose, body: { query: { match: { free: 'text' } } } })).hits.total).toEqual({ value: 0, relation: 'eq' });
    expect(expectOk(await client.getMapping(loose))[loose]!.mappings).toEqual({ dynamic: 'false', properties: { k: { type: 'keyword' } } });
  });

  it('GET /{index}: aliases, mappings and settings (hidden, replicas, refresh_interval as strings)', async () => {
    const { client } = kit.target();
    const index = kit.index('get-index');
    const settings = { index: { hidden: true, number_of_replicas: 0, refresh_interval: '5s' } };
    expectOk(await client.createIndex(index, { settings, mappings: { properties: { a: { type: 'keyword' } } } }));
    const got = expectOk(await client.getIndex(index))[index]!;
    expect(got.mappings).toEqual({ properties: { a: { type: 'keyword' } } });
    expect(got.aliases).toEqual({});
    expect(got.settings!.index).toMatchObject({ hidden: 'true', number_of_replicas: '0', refresh_interval: '5s', number_of_shards: '1', provided_name: index });
    expect(typeof got.settings!.index!.uuid).toBe('string');
    const again = await client.createIndex(index, {});
    expectError(again, 400, 'resource_already_exists_exception', new RegExp(`^index \\[${index}/[^\\]]+\\] already exists$`));
  });

  it('hidden indices: left out of _cat/indices and searches on a wildcard unless expand_wildcards=all', async () => {
    const { client } = kit.target();
    const hidden = kit.index('hidden-h');
    const shown = kit.index('hidden-v');
    expectOk(await client.createIndex(hidden, { settings: { index: { hidden: true } } }));
    expectOk(await client.createIndex(shown, {}));
    expectOk(await client.index({ index: hidden, id: '1', document: { n: 1 }, refresh: true }));
    expectOk(await client.index({ index: shown, id: '1', document: { n: 2 }, refresh: true }));
    const pattern = `${kit.prefix}-hidden-*`;
    expect(expectOk(await client.catIndices(pattern)).map((r) => r.index)).toEqual([shown]);
    expect(expectOk(await client.catIndices(pattern, 'all')).map((r) => r.index).sort()).toEqual([hidden, shown].sort());
    const row = expectOk(await client.catIndices(shown))[0]!;
    expect(row).toMatchObject({ status: 'open', index: shown, pri: '1', 'docs.count': '1' });
    const found = expectOk(await client.search({ index: pattern, body: {} }));
    expect(found.hits.hits.map((h) => h._index)).toEqual([shown]);
    expect(expectOk(await client.search({ index: hidden, body: {} })).hits.hits).toHaveLength(1);
  });

  it('index templates: applied when a write creates the index; a second template with the same patterns and priority is refused', async () => {
    const { client } = kit.target();
    const name = kit.template('tpl');
    const pattern = `${kit.prefix}-tpl-*`;
    const template = { settings: { index: { number_of_replicas: 0 } }, mappings: { dynamic: 'strict', properties: { k: { type: 'keyword' } } } };
    expectOk(await client.putIndexTemplate(name, { index_patterns: [pattern], priority: 500, template }));
    const clash = await client.putIndexTemplate(kit.template('tpl-clash'), { index_patterns: [pattern], priority: 500, template: {} });
    expectError(clash, 400, 'illegal_argument_exception', /multiple index templates may not match during index creation, please use a different priority$/);
    const index = kit.index('tpl-1');
    const w = expectOk(await client.index({ index, id: '1', document: { k: 'a' } }), 201);
    expect(w._shards.total).toBe(1);
    expect(expectOk(await client.getMapping(index))[index]!.mappings).toEqual(template.mappings);
    expectError(await client.index({ index, id: '2', document: { other: 1 } }), 400, 'strict_dynamic_mapping_exception');
  });

  it('aliases: a write through an alias lands in its write index; a search through it reads every index', async () => {
    const { client } = kit.target();
    const alias = `${kit.prefix}-alias`;
    const older = kit.index('alias-1');
    const newer = kit.index('alias-2');
    expectOk(await client.createIndex(older, { aliases: { [alias]: {} } }));
    expectOk(await client.createIndex(newer, {}));
    expectOk(await client.updateAliases([{ add: { index: older, alias, is_write_index: false } }, { add: { index: newer, alias, is_write_index: true } }]));
    const w = expectOk(await client.index({ index: alias, id: 'x', document: { n: 1 }, refresh: true }));
    expect(w._index).toBe(newer);
    expectOk(await client.index({ index: older, id: 'y', document: { n: 2 }, refresh: true }));
    const found = expectOk(await client.search({ index: alias, body: { sort: [{ n: 'asc' }] } }));
    expect(found.hits.hits.map((h) => [h._index, h._id])).toEqual([[newer, 'x'], [older, 'y']]);
  });
}
