/**
 * Mappings, settings and templates of the test cluster, below the HTTP layer: parsing and merge
 * rules, what a document does to the mappings, value locations, template composition.
 */
import { describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { ClusterHttpError } from './errors.ts';
import { mergeMappings, parseMappings, renderMapping } from './mapping.ts';
import { applyDocument } from './mapping-docs.ts';
import { locate } from './json-location.ts';
import { parseSettings } from './settings.ts';
import { SearchContexts } from './contexts.ts';
import { search } from './search.ts';
import { systemClock } from '../../src/clock.ts';

const es = { distribution: 'elasticsearch' as const };

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ClusterHttpError) return `${e.status} ${e.body.error.type}: ${e.body.error.reason}`;
    throw e;
  }
  throw new Error('did not fail');
}

describe('parsing and merging mappings', () => {
  it('dotted property names are objects; unknown root parameters and multi-field objects are refused', () => {
    expect(parseMappings({ properties: { 'a.b': { type: 'keyword' } } }, es)).toEqual({ properties: { a: { properties: { b: { type: 'keyword' } } } } });
    expect(reason(() => parseMappings({ dynamic: 'strict', colour: 'red' }, es))).toBe('400 mapper_parsing_exception: Root mapping definition has unsupported parameters:  [colour : "red"]');
    expect(reason(() => parseMappings({ properties: { a: { type: 'text', fields: { o: { properties: {} } } } } }, es))).toBe('400 mapper_parsing_exception: Type [object] cannot be used in multi field');
  });

  it('merge: new fields and multi-fields join; a fixed parameter or an object turned leaf conflicts', () => {
    const base = parseMappings({ properties: { k: { type: 'keyword', ignore_above: 10 }, o: { properties: { x: { type: 'long' } } } } }, es);
    const merged = mergeMappings(base, parseMappings({ properties: { k: { type: 'keyword', ignore_above: 20, fields: { t: { type: 'text' } } }, o: { properties: { y: { type: 'date' } } } } }, es));
    expect(renderMapping(merged)).toEqual({ properties: { k: { type: 'keyword', ignore_above: 20, fields: { t: { type: 'text' } } }, o: { properties: { x: { type: 'long' }, y: { type: 'date' } } } } });
    expect(reason(() => mergeMappings(base, parseMappings({ properties: { k: { type: 'keyword', index: false } } }, es)))).toBe(
      '400 illegal_argument_exception: Mapper for [k] conflicts with existing mapper:\n\tCannot update parameter [index] from [default] to [false]',
    );
    expect(reason(() => mergeMappings(base, parseMappings({ properties: { o: { type: 'keyword' } } }, es)))).toBe("400 illegal_argument_exception: can't merge a non object mapping [o] with an object mapping");
  });

  it('settings: unknown keys, private keys and bad values are refused with the real messages', () => {
    expect(parseSettings({ number_of_replicas: 0, index: { hidden: true } }).flat).toEqual({ 'index.number_of_replicas': '0', 'index.hidden': 'true' });
    expect(reason(() => parseSettings({ 'index.refresh_interval': 'soon' }))).toBe(
      '400 illegal_argument_exception: failed to parse setting [index.refresh_interval] with value [soon] as a time value: unit is missing or unrecognized',
    );
    expect(reason(() => parseSettings({ uuid: 'x' }))).toBe('400 illegal_argument_exception: private index setting [index.uuid] can not be set explicitly');
    expect(reason(() => parseSettings({ number_of_shards: 0 }))).toBe('400 illegal_argument_exception: Failed to parse value [0] for setting [index.number_of_shards] must be >= 1');
  });
});

describe('what a document does to the mappings', () => {
  const strict = parseMappings({ dynamic: 'strict', properties: { k: { type: 'keyword' }, off: { type: 'object', enabled: false }, f: { type: 'flattened' } } }, es);

  it('adds nothing (and copies nothing) when every field is mapped; accepts anything under enabled:false and flattened', () => {
    expect(applyDocument(strict, { k: 'a', off: { any: [1, { x: 2 }] }, f: { deep: { er: 'v' } } }, { ...es, id: '1' })).toBeUndefined();
  });

  it('strict refuses an unmapped field even when null; metadata fields are refused inside a document', () => {
    expect(reason(() => applyDocument(strict, { k: 'a', other: null }, { ...es, id: '1' }))).toBe('400 strict_dynamic_mapping_exception: [1:18] mapping set to strict, dynamic introduction of [other] within [_doc] is not allowed');
    expect(reason(() => applyDocument(strict, { _id: 'x' }, { ...es, id: '1' }))).toBe(
      '400 document_parsing_exception: [1:8] Field [_id] is a metadata field and cannot be added inside a document. Use the index API request parameters.',
    );
  });

  it('dynamic mapping follows dotted keys and arrays of objects, and a value that misfits the type a field just got fails', () => {
    const added = applyDocument({}, { 'a.b': 1, list: [{ x: 'y' }, { z: true }] }, { ...es, id: '1' })!;
    expect(renderMapping(added)).toEqual({
      properties: { a: { properties: { b: { type: 'long' } } }, list: { properties: { x: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } }, z: { type: 'boolean' } } } },
    });
    expect(reason(() => applyDocument({}, { n: [1, 'two'] }, { distribution: 'opensearch', id: '7' }))).toBe(
      "400 mapper_parsing_exception: failed to parse field [n] of type [long] in document with id '7'. Preview of field's value: 'two'",
    );
  });

  it('a refused document leaves the mappings as they were, even the fields it would have added', () => {
    const store = new Store({ distribution: 'elasticsearch' });
    store.createIndex('i', { mappings: { properties: { n: { type: 'long' } } } });
    expect(() => store.write('i', '1', { fresh: 'x', n: 'NaN' })).toThrow(ClusterHttpError);
    expect(renderMapping(store.get('i').mapping)).toEqual({ properties: { n: { type: 'long' } } });
    expect(store.get('i').nextSeqNo).toBe(0);
  });

  it('locates values by path in a multi-line text, inside arrays too', () => {
    const raw = '{"a": [1,\n  {"b": {"c": "x"}}],\n "d": null}';
    expect(locate(raw, ['a', 1, 'b', 'c'])).toBe('2:15');
    expect(locate(raw, ['d'])).toBe('3:7');
    expect(locate(raw, ['missing'])).toBeUndefined();
  });
});

describe('templates', () => {
  it('component templates apply in composed_of order, then the index template, then the request; the higher priority wins', () => {
    const store = new Store({ distribution: 'elasticsearch' });
    store.templates.putComponentTemplate('base', { template: { settings: { number_of_replicas: 0, refresh_interval: '5s' }, mappings: { properties: { a: { type: 'keyword' } } } } }, es);
    store.templates.putComponentTemplate('more', { template: { settings: { refresh_interval: '2s' }, mappings: { properties: { b: { type: 'long' } } } } }, es);
    store.templates.putIndexTemplate('low', { index_patterns: ['x-*'], priority: 1, template: { settings: { number_of_replicas: 3 } } }, es);
    store.templates.putIndexTemplate('high', { index_patterns: ['x-*'], priority: 2, composed_of: ['base', 'more'], template: { aliases: { xa: {} } } }, es);
    const index = store.createIndex('x-1', { settings: { 'index.hidden': true } });
    expect(index.settings.flat).toEqual({ 'index.number_of_replicas': '0', 'index.refresh_interval': '2s', 'index.hidden': 'true' });
    expect(renderMapping(index.mapping)).toEqual({ properties: { a: { type: 'keyword' }, b: { type: 'long' } } });
    expect([...index.aliases.keys()]).toEqual(['xa']);
    expect(reason(() => store.templates.putIndexTemplate('t', { index_patterns: ['y'], composed_of: ['nope'] }, es))).toBe('400 illegal_argument_exception: index template [t] specifies component templates [nope] that do not exist');
    expect(reason(() => store.templates.deleteComponentTemplate('base'))).toBe('400 illegal_argument_exception: component templates [base] cannot be removed as they are still in use by index templates [high]');
  });
});

describe('field families in searches', () => {
  it('a multi-field reads its parent value; a flattened field matches its keys as keywords', () => {
    const store = new Store({ distribution: 'elasticsearch' });
    store.createIndex('i', { mappings: { properties: { msg: { type: 'text', fields: { raw: { type: 'keyword' } } }, labels: { type: 'flattened' } } } });
    store.write('i', '1', { msg: 'Disk Full', labels: { env: 'prod', team: { name: 'ops' } } });
    store.refresh(store.get('i'));
    const ids = (query: unknown) => search({ store, contexts: new SearchContexts(systemClock), distribution: 'elasticsearch', now: 0, started: 0 }, 'i', { query }, new URLSearchParams()).hits.hits.map((h) => h._id);
    expect(ids({ term: { 'msg.raw': 'Disk Full' } })).toEqual(['1']);
    expect(ids({ term: { 'labels.team.name': 'ops' } })).toEqual(['1']);
    expect(ids({ term: { labels: 'prod' } })).toEqual(['1']);
    expect(ids({ term: { 'labels.env': 'dev' } })).toEqual([]);
  });
});
