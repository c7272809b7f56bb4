/**
 * Aggregation semantics of the test cluster: each type, ordering, sizes, gaps and nesting.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { search } from './search.ts';
import { ClusterHttpError } from './errors.ts';
import { refreshedEnv } from './refreshed-env.ts';

const NOW = Date.UTC(2024, 4, 15, 12, 0, 0);
let store: Store;
const env = () => refreshedEnv(store, NOW);

beforeEach(() => {
  store = new Store();
  store.createIndex('f', { mappings: { properties: { ts: { type: 'date' }, city: { type: 'keyword' }, price: { type: 'double' }, delayed: { type: 'boolean' }, note: { type: 'text' } } } });
  const rows: Array<[string, string, number, boolean]> = [
    ['2024-05-15T10:05:00Z', 'Rome', 100, false],
    ['2024-05-15T10:55:00Z', 'Rome', 300, true],
    ['2024-05-15T11:10:00Z', 'Tokyo', 200, false],
    ['2024-05-15T13:30:00Z', 'Zurich', 50, true],
    ['2024-05-15T13:40:00Z', 'Rome', 150, false],
  ];
  rows.forEach(([ts, city, price, delayed], i) => store.write('f', String(i), { ts, city, price, delayed, note: 'x' }));
});

function aggs(a: Record<string, unknown>, query?: unknown): Record<string, any> {
  return search(env(), 'f', { size: 0, aggs: a, ...(query ? { query } : {}) }, new URLSearchParams()).aggregations as Record<string, any>;
}

describe('metric aggregations', () => {
  it('avg, sum, min, max, value_count', () => {
    const r = aggs({ a: { avg: { field: 'price' } }, s: { sum: { field: 'price' } }, mn: { min: { field: 'price' } }, mx: { max: { field: 'price' } }, c: { value_count: { field: 'city' } } });
    expect(r).toEqual({ a: { value: 160 }, s: { value: 800 }, mn: { value: 50 }, mx: { value: 300 }, c: { value: 5 } });
  });

  it('on no documents: avg/min/max are null, sum and value_count 0; min/max of dates carry value_as_string', () => {
    const empty = aggs({ a: { avg: { field: 'price' } }, s: { sum: { field: 'price' } }, mx: { max: { field: 'price' } }, c: { value_count: { field: 'price' } } }, { term: { city: 'Nowhere' } });
    expect(empty).toEqual({ a: { value: null }, s: { value: 0 }, mx: { value: null }, c: { value: 0 } });
    expect(aggs({ last: { max: { field: 'ts' } } }).last).toEqual({ value: Date.UTC(2024, 4, 15, 13, 40), value_as_string: '2024-05-15T13:40:00.000Z' });
  });
});

describe('terms', () => {
  it('orders by count desc then key asc, honours size with sum_other_doc_count, nests sub-aggregations', () => {
    const r = aggs({ cities: { terms: { field: 'city', size: 2 }, aggs: { avg_price: { avg: { field: 'price' } } } } });
    expect(r.cities).toEqual({
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 1,
      buckets: [
        { key: 'Rome', doc_count: 3, avg_price: { value: 550 / 3 } },
        { key: 'Tokyo', doc_count: 1, avg_price: { value: 200 } },
      ],
    });
  });

  it('orders by key or by a sub-aggregation; boolean keys are 1/0 with key_as_string', () => {
    expect(aggs({ c: { terms: { field: 'city', order: { _key: 'desc' } } } }).c.buckets.map((b: any) => b.key)).toEqual(['Zurich', 'Tokyo', 'Rome']);
    const byMax = aggs({ c: { terms: { field: 'city', order: { top: 'desc' } }, aggs: { top: { max: { field: 'price' } } } } });
    expect(byMax.c.buckets.map((b: any) => b.key)).toEqual(['Rome', 'Tokyo', 'Zurich']);
    expect(aggs({ d: { terms: { field: 'delayed' } } }).d.buckets).toEqual([
      { key: 0, key_as_string: 'false', doc_count: 3 },
      { key: 1, key_as_string: 'true', doc_count: 2 },
    ]);
  });

  it('on a text field fails like Elasticsearch (fielddata disabled)', () => {
    let err: unknown;
    try {
      aggs({ n: { terms: { field: 'note' } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClusterHttpError);
    const body = (err as ClusterHttpError).body.error;
    expect(body.type).toBe('search_phase_execution_exception');
    expect(body.root_cause?.[0]).toMatchObject({ type: 'illegal_argument_exception', reason: expect.stringContaining('Fielddata is disabled') });
  });
});

describe('date_histogram', () => {
  it('fixed_interval fills empty buckets between the first and last', () => {
    const r = aggs({ h: { date_histogram: { field: 'ts', fixed_interval: '1h' }, aggs: { total: { sum: { field: 'price' } } } } });
    expect(r.h.buckets).toEqual([
      { key_as_string: '2024-05-15T10:00:00.000Z', key: Date.UTC(2024, 4, 15, 10), doc_count: 2, total: { value: 400 } },
      { key_as_string: '2024-05-15T11:00:00.000Z', key: Date.UTC(2024, 4, 15, 11), doc_count: 1, total: { value: 200 } },
      { key_as_string: '2024-05-15T12:00:00.000Z', key: Date.UTC(2024, 4, 15, 12), doc_count: 0, total: { value: 0 } },
      { key_as_string: '2024-05-15T13:00:00.000Z', key: Date.UTC(2024, 4, 15, 13), doc_count: 2, total: { value: 200 } },
    ]);
  });

  it('min_doc_count 1 drops empty buckets; calendar_interval day/month; extended_bounds', () => {
    expect(aggs({ h: { date_histogram: { field: 'ts', fixed_interval: '1h', min_doc_count: 1 } } }).h.buckets).toHaveLength(3);
    expect(aggs({ d: { date_histogram: { field: 'ts', calendar_interval: 'day' } } }).d.buckets).toEqual([{ key_as_string: '2024-05-15T00:00:00.000Z', key: Date.UTC(2024, 4, 15), doc_count: 5 }]);
    expect(aggs({ m: { date_histogram: { field: 'ts', calendar_interval: '1M' } } }).m.buckets[0].key).toBe(Date.UTC(2024, 4, 1));
    const ext = aggs({ d: { date_histogram: { field: 'ts', calendar_interval: '1d', extended_bounds: { min: 'now-2d/d', max: 'now/d' } } } });
    expect(ext.d.buckets.map((b: any) => b.doc_count)).toEqual([0, 0, 5]);
  });

  it('nested terms → date_histogram → metric', () => {
    const r = aggs({ c: { terms: { field: 'city', size: 1 }, aggs: { h: { date_histogram: { field: 'ts', fixed_interval: '2h' }, aggs: { m: { max: { field: 'price' } } } } } } });
    expect(r.c.buckets[0].h.buckets.map((b: any) => [b.doc_count, b.m.value])).toEqual([
      [2, 300],
      [1, 150],
    ]);
  });

  it('rejects a bad interval, an unknown aggregation type and a missing field as 400s', () => {
    for (const a of [{ h: { date_histogram: { field: 'ts', fixed_interval: '1month' } } }, { h: { date_histogram: { field: 'ts', interval: '1h' } } }, { x: { percentiles_magic: { field: 'price' } } }, { x: { avg: {} } }]) {
      let err: unknown;
      try {
        aggs(a);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ClusterHttpError);
      expect((err as ClusterHttpError).status).toBe(400);
    }
  });
});
