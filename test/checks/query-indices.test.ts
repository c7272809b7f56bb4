/** The indices a search body reads documents from while it runs, found wherever the query nests them. */
import { describe, expect, it } from 'vitest';
import { queryIndices } from '../../src/checks/query-indices.ts';

describe('queryIndices', () => {
  it('finds terms lookups, more_like_this documents, indexed shapes, percolated and pinned documents, with their paths', () => {
    const body = {
      query: {
        bool: {
          filter: [
            { terms: { user: { index: 'users', id: '1', path: 'friends' } } },
            { more_like_this: { fields: ['t'], like: [{ _index: 'docs', _id: '2' }, 'free text'], unlike: { _index: 'spam', _id: '3' } } },
            { geo_shape: { location: { indexed_shape: { index: 'shapes', id: 'de' } } } },
            { percolate: { field: 'q', index: 'stored', id: '4' } },
            { pinned: { docs: [{ _index: 'top', _id: '5' }], organic: { match_all: {} } } },
          ],
        },
      },
    };
    expect(queryIndices(body)).toEqual(
      expect.arrayContaining([
        { path: 'query.bool.filter[0].terms.user.index', index: 'users' },
        { path: 'query.bool.filter[1].more_like_this.like[0]._index', index: 'docs' },
        { path: 'query.bool.filter[1].more_like_this.unlike._index', index: 'spam' },
        { path: 'query.bool.filter[2].geo_shape.location.indexed_shape.index', index: 'shapes' },
        { path: 'query.bool.filter[3].percolate.index', index: 'stored' },
        { path: 'query.bool.filter[4].pinned.docs[0]._index', index: 'top' },
      ]),
    );
    expect(queryIndices(body)).toHaveLength(6);
  });

  it("finds the target index of a lookup runtime field the request defines, and no other runtime field's", () => {
    const body = {
      runtime_mappings: {
        country: { type: 'lookup', target_index: 'ip-locations', input_field: 'host', target_field: 'ip', fetch_fields: ['country'] },
        day: { type: 'keyword', script: { source: "emit('x')" } },
      },
      query: { match_all: {} },
    };
    expect(queryIndices(body)).toEqual([{ path: 'runtime_mappings.country.target_index', index: 'ip-locations' }]);
  });

  it('leaves alone what only looks alike: a terms query or aggregation, a field named index, a like text', () => {
    const body = {
      query: { bool: { must: [{ terms: { status: ['a', 'b'] } }, { term: { index: 'logs' } }, { more_like_this: { like: 'some text' } }] } },
      aggs: { by: { terms: { field: 'index' } } },
    };
    expect(queryIndices(body)).toEqual([]);
  });

  it('walks a deeply nested body without exhausting the stack', () => {
    let deep: Record<string, unknown> = { terms: { u: { index: 'deep', id: '1', path: 'p' } } };
    for (let i = 0; i < 20_000; i++) deep = { bool: { must: [deep] } };
    expect(queryIndices(deep)).toHaveLength(1);
  });
});
