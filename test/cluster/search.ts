/**
 * `_search` and `_count`: index resolution (lists, wildcards, exclusions, indices options), query,
 * sort, from/size, `_source` filtering, `track_total_hits` and aggregations.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { IndexData, Store, StoredDoc } from './store.ts';
import { httpError, indexNotFound, parsingError } from './errors.ts';
import { compileQuery } from './query.ts';
import { runAggs, validateAggs, type AggDoc } from './aggs.ts';
import { compare, fieldValues } from './fields.ts';

export interface IndicesOptions {
  allowNoIndices: boolean;
  ignoreUnavailable: boolean;
  expandWildcards: string[];
}

export function indicesOptionsFrom(q: URLSearchParams): IndicesOptions {
  return {
    allowNoIndices: q.get('allow_no_indices') !== 'false',
    ignoreUnavailable: q.get('ignore_unavailable') === 'true',
    expandWildcards: (q.get('expand_wildcards') ?? 'open').split(','),
  };
}

function wildcardRegex(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** Resolves an index expression (`a,b*,-b2`, `_all`, `*`) to concrete indices, as Elasticsearch would. */
export function resolveIndices(store: Store, expr: string | undefined, opts: IndicesOptions): IndexData[] {
  const parts = !expr || expr === '_all' ? ['*'] : expr.split(',').filter(Boolean);
  const names = new Set<string>();
  const expandHidden = opts.expandWildcards.includes('all') || opts.expandWildcards.includes('hidden');
  const expandNone = opts.expandWildcards.includes('none');
  let anyWildcard = false;
  for (const part of parts) {
    if (part.startsWith('-') && names.size > 0) {
      const re = wildcardRegex(part.slice(1));
      for (const n of [...names]) if (re.test(n)) names.delete(n);
      continue;
    }
    if (part.includes('*')) {
      anyWildcard = true;
      if (expandNone) continue;
      const re = wildcardRegex(part);
      // Dot-prefixed indices stand in for hidden/system ones: only an explicit dot pattern or `expand_wildcards=all` reaches them.
      for (const n of store.indices.keys()) if (re.test(n) && (expandHidden || !n.startsWith('.') || part.startsWith('.'))) names.add(n);
      continue;
    }
    if (store.indices.has(part)) names.add(part);
    else if (!opts.ignoreUnavailable) throw indexNotFound(part);
  }
  if (names.size === 0 && anyWildcard && !opts.allowNoIndices) throw indexNotFound(expr ?? '_all');
  return [...names].sort().map((n) => store.get(n));
}

type SortKey = { field: string; desc: boolean; missingFirst: boolean };

function parseSort(sort: unknown): SortKey[] {
  if (sort === undefined) return [];
  const list = Array.isArray(sort) ? sort : [sort];
  return list.map((s): SortKey => {
    if (typeof s === 'string') {
      const [field, dir] = s.split(':');
      return { field: field!, desc: dir === 'desc' || (field === '_score' && dir === undefined), missingFirst: false };
    }
    if (typeof s !== 'object' || s === null) throw parsingError('[sort] malformed');
    const [field, spec] = Object.entries(s)[0] ?? [];
    if (!field) throw parsingError('[sort] malformed');
    const order = typeof spec === 'string' ? spec : (spec as { order?: string }).order;
    const missing = typeof spec === 'object' ? (spec as { missing?: string }).missing : undefined;
    return { field, desc: order === 'desc' || (field === '_score' && order === undefined), missingFirst: missing === '_first' };
  });
}

function filterSource(source: Record<string, unknown>, spec: unknown): Record<string, unknown> | undefined {
  if (spec === undefined || spec === true) return source;
  if (spec === false) return undefined;
  let includes: string[] = [];
  let excludes: string[] = [];
  if (typeof spec === 'string') includes = [spec];
  else if (Array.isArray(spec)) includes = spec as string[];
  else if (typeof spec === 'object' && spec !== null) {
    const o = spec as { includes?: string | string[]; excludes?: string | string[] };
    includes = o.includes === undefined ? [] : ([] as string[]).concat(o.includes);
    excludes = o.excludes === undefined ? [] : ([] as string[]).concat(o.excludes);
  }
  const inc = includes.map(wildcardRegex);
  const exc = excludes.map(wildcardRegex);
  const walk = (obj: Record<string, unknown>, prefix: string, parentIncluded: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix + k;
      if (exc.some((r) => r.test(path))) continue;
      const included = parentIncluded || inc.length === 0 || inc.some((r) => r.test(path));
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const child = walk(v as Record<string, unknown>, path + '.', included);
        if (Object.keys(child).length > 0 || (included && Object.keys(v).length === 0)) out[k] = child;
      } else if (included) out[k] = v;
    }
    return out;
  };
  return walk(source, '', false);
}

interface Hit {
  index: IndexData;
  doc: StoredDoc;
}

function matchedDocs(indices: IndexData[], query: unknown, now: number): Hit[] {
  const matcher = compileQuery(query, now);
  const hits: Hit[] = [];
  for (const index of indices) for (const doc of index.docs.values()) if (matcher(index, doc.id, doc.source)) hits.push({ index, doc });
  return hits;
}

const SEARCH_KEYS = new Set(['query', 'size', 'from', 'sort', '_source', 'aggs', 'aggregations', 'track_total_hits', 'timeout', 'seq_no_primary_term', 'version', 'track_scores', 'stored_fields', 'fields', 'post_filter', 'runtime_mappings', 'min_score', 'terminate_after', 'highlight', 'explain']);

export function search(store: Store, indexExpr: string | undefined, body: Record<string, unknown>, q: URLSearchParams, now: number, started: number): estypes.SearchResponse<unknown> {
  for (const key of Object.keys(body)) if (!SEARCH_KEYS.has(key)) throw parsingError(`Unknown key for a START_OBJECT in [${key}].`);
  const size = Number(q.get('size') ?? body.size ?? 10);
  const from = Number(q.get('from') ?? body.from ?? 0);
  if (!Number.isInteger(size) || size < 0) throw httpError(400, 'illegal_argument_exception', `[size] parameter cannot be negative, found [${size}]`);
  if (from + size > 10_000) {
    throw httpError(400, 'illegal_argument_exception', `Result window is too large, from + size must be less than or equal to: [10000] but was [${from + size}].`);
  }
  const aggs = body.aggs ?? body.aggregations;
  validateAggs(aggs);
  const sortKeys = parseSort(q.get('sort') ?? body.sort);
  const indices = resolveIndices(store, indexExpr, indicesOptionsFrom(q));
  const matched = matchedDocs(indices, body.query, now);
  const scoreSorted = sortKeys.length === 0 || sortKeys.every((k) => k.field === '_score');
  const sortValues = (h: Hit) => sortKeys.map((k) => (k.field === '_score' ? 1 : k.field === '_doc' ? h.doc.seqNo : fieldValues(h.index, h.doc.source, k.field, now)[0]));
  if (!scoreSorted) {
    const keyed = matched.map((h) => ({ h, values: sortValues(h) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const k = sortKeys[i]!;
        const va = a.values[i];
        const vb = b.values[i];
        if (va === undefined || vb === undefined) {
          if (va === vb) continue;
          return (va === undefined) !== k.missingFirst ? 1 : -1;
        }
        const c = compare(va, vb);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
    matched.splice(0, matched.length, ...keyed.map((k) => k.h));
  }
  const page = matched.slice(from, from + size);
  const seqNoPrimaryTerm = body.seq_no_primary_term === true;
  const hits: estypes.SearchHit<unknown>[] = page.map((h) => {
    const hit: estypes.SearchHit<unknown> = { _index: h.index.name, _id: h.doc.id, _score: scoreSorted ? 1 : null };
    if (seqNoPrimaryTerm) {
      hit._seq_no = h.doc.seqNo;
      hit._primary_term = h.doc.primaryTerm;
    }
    const src = filterSource(h.doc.source, body._source);
    if (src !== undefined) hit._source = src;
    if (!scoreSorted) hit.sort = sortValues(h).map((v) => (v === undefined ? null : v)) as estypes.SortResults;
    return hit;
  });
  const total = totalHits(matched.length, q.get('track_total_hits') ?? body.track_total_hits);
  const response: estypes.SearchResponse<unknown> = {
    took: Math.max(0, Date.now() - started),
    timed_out: false,
    _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 },
    hits: {
      ...(total === undefined ? {} : { total: q.get('rest_total_hits_as_int') === 'true' ? total.value : total }),
      max_score: page.length > 0 && scoreSorted ? 1 : null,
      hits,
    },
  };
  if (aggs !== undefined) {
    const aggDocs: AggDoc[] = matched.map((h) => ({ index: h.index, source: h.doc.source }));
    response.aggregations = runAggs(aggs, aggDocs, now);
  }
  return response;
}

/** Default tracking counts exactly up to 10 000 and then reports `gte`. */
function totalHits(count: number, track: unknown): estypes.SearchTotalHits | undefined {
  if (track === false || track === 'false') return undefined;
  if (track === true || track === 'true') return { value: count, relation: 'eq' };
  const limit = track === undefined || track === null ? 10_000 : Number(track);
  return count > limit ? { value: limit, relation: 'gte' } : { value: count, relation: 'eq' };
}

export function count(store: Store, indexExpr: string | undefined, body: Record<string, unknown>, q: URLSearchParams, now: number): estypes.CountResponse {
  for (const key of Object.keys(body)) if (key !== 'query') throw parsingError(`request does not support [${key}]`);
  const indices = resolveIndices(store, indexExpr, indicesOptionsFrom(q));
  const n = matchedDocs(indices, body.query, now).length;
  return { count: n, _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 } };
}
