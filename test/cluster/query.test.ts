/**
 * Query DSL semantics of the test cluster itself, checked through its `search` function with a fixed clock.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { count, search } from './search.ts';
import { ClusterHttpError } from './errors.ts';
import { refreshedEnv } from './refreshed-env.ts';

const NOW = Date.UTC(2024, 4, 15, 12, 0, 0);
const q = (s = '') => new URLSearchParams(s);

let store: Store;
const env = () => refreshedEnv(store, NOW);
beforeEach(() => {
  store = new Store();
  store.createIndex('logs', { mappings: { properties: { ts: { type: 'date' }, level: { type: 'keyword' }, msg: { type: 'text' }, ms: { type: 'long' }, ok: { type: 'boolean' } } } });
  const docs = [
    { _id: '1', ts: '2024-05-15T11:50:00Z', level: 'ERROR', msg: 'Disk full on host', ms: 900, ok: false, tags: ['a', 'b'] },
    { _id: '2', ts: '2024-05-15T11:10:00Z', level: 'WARN', msg: 'slow disk', ms: 300, ok: true, tags: ['b'] },
    { _id: '3', ts: '2024-05-14T23:00:00Z', level: 'INFO', msg: 'all good', ms: 100, ok: true },
    { _id: '4', ts: '2024-05-13T08:00:00Z', level: 'ERROR', msg: 'Network down', ms: 50, ok: false, user: { name: 'ann' } },
  ];
  for (const { _id, ...d } of docs) store.write('logs', _id, d);
  store.write('metrics-a', 'm1', { v: 1 });
  store.write('metrics-b', 'm2', { v: 2 });
  store.write('.hidden', 'h1', { v: 3 });
});

function ids(body: Record<string, unknown>, index = 'logs', qs = ''): string[] {
  const res = search(env(), index, body, q(qs));
  return res.hits.hits.map((h) => h._id!).sort();
}

describe('query DSL', () => {
  it('match_all, term on keyword/number/boolean, and term on text matches analysed tokens only', () => {
    expect(ids({ query: { match_all: {} } })).toEqual(['1', '2', '3', '4']);
    expect(ids({ query: { term: { level: 'ERROR' } } })).toEqual(['1', '4']);
    expect(ids({ query: { term: { level: 'error' } } })).toEqual([]);
    expect(ids({ query: { term: { level: { value: 'error', case_insensitive: true } } } })).toEqual(['1', '4']);
    expect(ids({ query: { term: { ms: 300 } } })).toEqual(['2']);
    expect(ids({ query: { term: { ok: true } } })).toEqual(['2', '3']);
    expect(ids({ query: { term: { msg: 'disk' } } })).toEqual(['1', '2']);
    expect(ids({ query: { term: { msg: 'Disk' } } })).toEqual([]);
    expect(ids({ query: { term: { 'tags.keyword': 'b' } } })).toEqual(['1', '2']);
  });

  it('terms and ids', () => {
    expect(ids({ query: { terms: { level: ['WARN', 'INFO'] } } })).toEqual(['2', '3']);
    expect(ids({ query: { ids: { values: ['1', '3', 'nope'] } } })).toEqual(['1', '3']);
  });

  it('range on numbers, absolute dates and date math with rounding', () => {
    expect(ids({ query: { range: { ms: { gt: 100, lte: 900 } } } })).toEqual(['1', '2']);
    expect(ids({ query: { range: { ts: { gte: 'now-1h' } } } })).toEqual(['1', '2']);
    expect(ids({ query: { range: { ts: { gte: 'now-30m' } } } })).toEqual(['1']);
    expect(ids({ query: { range: { ts: { gte: 'now/d' } } } })).toEqual(['1', '2']);
    expect(ids({ query: { range: { ts: { gte: 'now-1d/d', lt: 'now/d' } } } })).toEqual(['3']);
    // lte rounds up: the whole of yesterday is included.
    expect(ids({ query: { range: { ts: { lte: 'now-1d/d' } } } })).toEqual(['3', '4']);
    expect(ids({ query: { range: { ts: { gt: '2024-05-13', lt: '2024-05-15T11:30:00Z' } } } })).toEqual(['2', '3', '4']);
  });

  it('range over indices that map the field differently compares each as its own type', () => {
    store.createIndex('ranged-date', { mappings: { properties: { at: { type: 'date' } } } });
    store.createIndex('ranged-text', { mappings: { properties: { at: { type: 'keyword' } } } });
    store.write('ranged-date', 'd1', { at: '2024-05-15T11:00:00Z' });
    store.write('ranged-date', 'd2', { at: '2024-05-13T11:00:00Z' });
    store.write('ranged-text', 't1', { at: '2024-05-15T11:00:00Z' });
    store.write('ranged-text', 't2', { at: 'now-1d' });
    // On the date field `now-1d` is date math; on the keyword field it is the string itself.
    expect(ids({ query: { range: { at: { gte: 'now-1d' } } } }, 'ranged-*')).toEqual(['d1', 't2']);
    expect(ids({ query: { range: { at: { lt: 'now-1d' } } } }, 'ranged-*')).toEqual(['d2', 't1']);
  });

  it('dotted paths read nested objects, dotted keys and arrays of objects alike', () => {
    store.write('dotted', 'a', { user: { name: 'ann' } });
    store.write('dotted', 'b', { 'user.name': 'bob' });
    store.write('dotted', 'c', { user: [{ name: 'cy' }, { name: 'ann' }] });
    store.write('dotted', 'd', { 'user.name': 'dee', user: { name: 'ann' } });
    expect(ids({ query: { term: { 'user.name': 'ann' } } }, 'dotted')).toEqual(['a', 'c', 'd']);
    expect(ids({ query: { term: { 'user.name': 'dee' } } }, 'dotted')).toEqual(['d']);
    expect(ids({ query: { exists: { field: 'user.name' } } }, 'dotted')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('bool with must/filter/should/must_not and minimum_should_match', () => {
    expect(ids({ query: { bool: { must: [{ term: { level: 'ERROR' } }], must_not: { term: { ms: 50 } } } } })).toEqual(['1']);
    expect(ids({ query: { bool: { should: [{ term: { level: 'WARN' } }, { term: { level: 'INFO' } }] } } })).toEqual(['2', '3']);
    // With a filter, should clauses are optional unless minimum_should_match says otherwise.
    expect(ids({ query: { bool: { filter: { term: { ok: true } }, should: [{ term: { level: 'WARN' } }] } } })).toEqual(['2', '3']);
    expect(ids({ query: { bool: { filter: { term: { ok: true } }, should: [{ term: { level: 'WARN' } }], minimum_should_match: 1 } } })).toEqual(['2']);
    expect(ids({ query: { bool: { should: [{ term: { ok: false } }, { term: { level: 'ERROR' } }, { range: { ms: { gte: 500 } } }], minimum_should_match: 3 } } })).toEqual(['1']);
    expect(ids({ query: { bool: { should: [{ term: { ok: false } }, { term: { level: 'ERROR' } }, { range: { ms: { gte: 500 } } }], minimum_should_match: '-1' } } })).toEqual(['1', '4']);
  });

  it('exists, match (or/and), prefix and a minimal query_string', () => {
    expect(ids({ query: { exists: { field: 'user.name' } } })).toEqual(['4']);
    expect(ids({ query: { exists: { field: 'tags' } } })).toEqual(['1', '2']);
    expect(ids({ query: { match: { msg: 'disk network' } } })).toEqual(['1', '2', '4']);
    expect(ids({ query: { match: { msg: { query: 'disk full', operator: 'and' } } } })).toEqual(['1']);
    expect(ids({ query: { match: { level: 'WARN' } } })).toEqual(['2']);
    expect(ids({ query: { prefix: { level: 'ER' } } })).toEqual(['1', '4']);
    expect(ids({ query: { query_string: { query: 'level:ERROR AND msg:disk' } } })).toEqual(['1']);
    expect(ids({ query: { query_string: { query: 'network' } } })).toEqual(['4']);
  });

  it('query_string: default_field, and * / ? wildcards matched against whole keywords or text tokens', () => {
    expect(ids({ query: { query_string: { default_field: 'msg', query: '*isk OR netw?rk' } } })).toEqual(['1', '2', '4']);
    expect(ids({ query: { query_string: { default_field: 'level', query: '*RR*' } } })).toEqual(['1', '4']);
    // Keywords are not analysed: the case must match.
    expect(ids({ query: { query_string: { default_field: 'level', query: '*rr*' } } })).toEqual([]);
    expect(ids({ query: { query_string: { default_field: 'level', query: 'disk' } } })).toEqual([]);
    expect(ids({ query: { query_string: { query: 'level:WA*' } } })).toEqual(['2']);
  });

  it('unknown or malformed queries fail with parsing_exception even on an empty match', () => {
    for (const query of [{ nope: {} }, { term: { a: 1, b: 2 } }, { bool: { must: [{ what: {} }] } }, { range: { ms: { greater: 1 } } }]) {
      let err: unknown;
      try {
        search(env(), 'metrics-a', { query }, q());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ClusterHttpError);
      expect((err as ClusterHttpError).body.error).toMatchObject({ type: 'parsing_exception' });
      expect((err as ClusterHttpError).status).toBe(400);
    }
  });
});

describe('search request features', () => {
  it('index lists, wildcards, exclusions and hidden (dot) indices', () => {
    expect(ids({}, 'metrics-*')).toEqual(['m1', 'm2']);
    expect(ids({}, 'metrics-*,-metrics-b')).toEqual(['m1']);
    expect(ids({}, 'logs,metrics-a')).toHaveLength(5);
    expect(ids({}, '*')).not.toContain('h1');
    expect(ids({}, '*', 'expand_wildcards=all')).toContain('h1');
    expect(() => ids({}, 'missing')).toThrow(ClusterHttpError);
    expect(ids({}, 'missing,metrics-a', 'ignore_unavailable=true')).toEqual(['m1']);
    expect(ids({}, 'nothing-*')).toEqual([]);
    expect(() => ids({}, 'nothing-*', 'allow_no_indices=false')).toThrow(ClusterHttpError);
  });

  it('sort, from, size and sort values', () => {
    const res = search(env(), 'logs', { sort: [{ ms: 'desc' }], from: 1, size: 2 }, q());
    expect(res.hits.hits.map((h) => h._id)).toEqual(['2', '3']);
    expect(res.hits.hits[0]!.sort).toEqual([300]);
    expect(res.hits.hits[0]!._score).toBeNull();
    expect(res.hits.max_score).toBeNull();
    const byDate = search(env(), 'logs', { sort: ['ts'], size: 1 }, q());
    expect(byDate.hits.hits[0]!._id).toBe('4');
    expect(byDate.hits.hits[0]!.sort).toEqual([Date.UTC(2024, 4, 13, 8)]);
    expect(() => search(env(), 'logs', { from: 9999, size: 10 }, q())).toThrow(/Result window is too large/);
  });

  it('_source filtering', () => {
    const one = (src: unknown) => search(env(), 'logs', { query: { ids: { values: ['4'] } }, _source: src }, q()).hits.hits[0]!._source;
    expect(one(false)).toBeUndefined();
    expect(one(['level', 'user.*'])).toEqual({ level: 'ERROR', user: { name: 'ann' } });
    expect(one({ excludes: ['msg', 'user'] })).toEqual({ ts: '2024-05-13T08:00:00Z', level: 'ERROR', ms: 50, ok: false });
    expect(one('us*')).toEqual({ user: { name: 'ann' } });
  });

  it('track_total_hits: default exact up to 10 000, false omits, a number caps', () => {
    for (let i = 0; i < 12; i++) store.write('many', undefined, { i });
    expect(search(env(), 'many', { size: 0 }, q()).hits.total).toEqual({ value: 12, relation: 'eq' });
    expect(search(env(), 'many', { size: 0, track_total_hits: 5 }, q()).hits.total).toEqual({ value: 5, relation: 'gte' });
    expect(search(env(), 'many', { size: 0, track_total_hits: false }, q()).hits.total).toBeUndefined();
    expect(search(env(), 'many', { size: 0 }, q('rest_total_hits_as_int=true')).hits.total).toBe(12);
  });

  it('_count', () => {
    expect(count(env(), 'logs', { query: { term: { level: 'ERROR' } } }, q()).count).toBe(2);
    expect(count(env(), undefined, {}, q()).count).toBe(6);
  });
});
