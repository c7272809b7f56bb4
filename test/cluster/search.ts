/**
 * `_search` and `_count` over the refreshed view of each index (a write is not searchable until a
 * refresh): index resolution, query, sort, from/size, `search_after`, points in time and scrolls
 * (both read the snapshot taken when they were opened), `_source` filtering, `track_total_hits` and
 * aggregations.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Store } from './store.ts';
import { httpError, parsingError, validationError } from './errors.ts';
import { compileQuery } from './query.ts';
import { runAggs, validateAggs, type AggDoc } from './aggs.ts';
import { indicesOptionsFrom, resolveIndices } from './resolve.ts';
import { SearchContexts, snapshotOf, type SnapshotPart } from './contexts.ts';
import { checkSort, compareTuples, parseSearchAfter, parseSort, sortValue, type SortKey, type SortValue, type ViewDoc } from './sorting.ts';
import { filterSource } from './source-filter.ts';

export { indicesOptionsFrom, resolveIndices, type IndicesOptions } from './resolve.ts';

/** What a search needs besides the request. */
export interface SearchEnv {
  store: Store;
  contexts: SearchContexts;
  distribution: 'elasticsearch' | 'opensearch';
  /** Wall-clock time for date math. */
  now: number;
  /** When the request arrived (for `took`). */
  started: number;
}

type Body = Record<string, unknown>;
type Sorted = ViewDoc & { sort: SortValue[] };

function matchedDocs(parts: SnapshotPart[], query: unknown, now: number): ViewDoc[] {
  const matcher = compileQuery(query, now);
  const hits: ViewDoc[] = [];
  for (const p of parts) for (const doc of p.docs.values()) if (matcher(p.index, doc.id, doc.source)) hits.push({ index: p.index, doc, shard: p.shard });
  return hits;
}

const SEARCH_KEYS = new Set(['query', 'size', 'from', 'sort', '_source', 'aggs', 'aggregations', 'track_total_hits', 'timeout', 'seq_no_primary_term', 'version', 'track_scores', 'stored_fields', 'fields', 'post_filter', 'runtime_mappings', 'min_score', 'terminate_after', 'highlight', 'explain', 'search_after', 'pit']);

function toHit(h: Sorted, body: Body, scoreSorted: boolean): estypes.SearchHit<unknown> {
  const hit: estypes.SearchHit<unknown> = { _index: h.index.name, _id: h.doc.id };
  if (body.version === true) hit._version = h.doc.version;
  if (body.seq_no_primary_term === true) {
    hit._seq_no = h.doc.seqNo;
    hit._primary_term = h.doc.primaryTerm;
  }
  hit._score = scoreSorted ? 1 : null;
  const src = filterSource(h.doc.source, body._source);
  if (src !== undefined) hit._source = src;
  if (!scoreSorted) hit.sort = h.sort as estypes.SortResults;
  return hit;
}

/** Default tracking counts exactly up to 10 000 and then reports `gte`. */
function totalHits(count: number, track: unknown): estypes.SearchTotalHits | undefined {
  if (track === false || track === 'false') return undefined;
  if (track === true || track === 'true') return { value: count, relation: 'eq' };
  const limit = track === undefined || track === null ? 10_000 : Number(track);
  return count > limit ? { value: limit, relation: 'gte' } : { value: count, relation: 'eq' };
}

function shardsOf(n: number): estypes.ShardStatistics {
  return { total: n, successful: n, skipped: 0, failed: 0 };
}

export function search(env: SearchEnv, indexExpr: string | undefined, body: Body, q: URLSearchParams): estypes.SearchResponse<unknown> {
  for (const key of Object.keys(body)) if (!SEARCH_KEYS.has(key)) throw parsingError(`Unknown key for a START_OBJECT in [${key}].`);
  const size = Number(q.get('size') ?? body.size ?? 10);
  const from = Number(q.get('from') ?? body.from ?? 0);
  if (!Number.isInteger(size) || size < 0) throw httpError(400, 'illegal_argument_exception', `[size] parameter cannot be negative, found [${size}]`);
  const scroll = q.get('scroll');
  const pit = body.pit as { id?: string; keep_alive?: string } | undefined;
  const problems: string[] = [];
  if (scroll !== null && from > 0) problems.push('using [from] is not allowed in a scroll context');
  if (scroll !== null && pit) problems.push('using [point in time] is not allowed in a scroll context');
  if (scroll !== null && body.search_after !== undefined) problems.push('[search_after] cannot be used in a scroll context');
  if (pit && indexExpr !== undefined) problems.push('[indices] cannot be used with point in time. Do not specify any index with point in time.');
  if (body.search_after !== undefined && from > 0) problems.push('[from] parameter must be set to 0 when [search_after] is used');
  if (problems.length > 0) throw validationError(...problems);
  if (scroll === null && from + size > 10_000) {
    throw httpError(400, 'illegal_argument_exception', `Result window is too large, from + size must be less than or equal to: [10000] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`);
  }
  const aggs = body.aggs ?? body.aggregations;
  validateAggs(aggs);
  const keepAlive = scroll === null ? undefined : SearchContexts.keepAlive(scroll, 'scroll');
  let parts: SnapshotPart[];
  if (pit) {
    if (typeof pit.id !== 'string') throw parsingError('[pit] failed to parse field [id]');
    parts = env.contexts.pit(pit.id, pit.keep_alive === undefined ? undefined : SearchContexts.keepAlive(pit.keep_alive)).parts;
  } else {
    parts = snapshotOf(resolveIndices(env.store, indexExpr, indicesOptionsFrom(q)), scroll !== null);
  }
  const indices = parts.map((p) => p.index);
  const sortKeys = parseSort(q.get('sort') ?? body.sort);
  if (pit && env.distribution === 'elasticsearch') addPitTiebreaker(sortKeys, body.search_after);
  checkSort(sortKeys, indices, { pit: pit !== undefined, distribution: env.distribution });
  const matched = matchedDocs(parts, body.query, env.now);
  const scoreSorted = sortKeys.length === 0 || sortKeys.every((k) => k.field === '_score');
  let sorted: Sorted[] = matched.map((h) => ({ ...h, sort: scoreSorted ? [] : sortKeys.map((k) => sortValue(h, k, env.now)) }));
  if (!scoreSorted) sorted.sort((a, b) => compareTuples(a.sort, b.sort, sortKeys));
  if (body.search_after !== undefined) {
    const after = parseSearchAfter(body.search_after, sortKeys, indices, env.now);
    sorted = sorted.filter((h) => compareTuples(h.sort, after, sortKeys) > 0);
  }
  const page = sorted.slice(from, from + size);
  const total = totalHits(matched.length, scroll !== null ? true : (q.get('track_total_hits') ?? body.track_total_hits));
  // Built in the real key order: `_scroll_id` or `pit_id` first.
  const response = {} as estypes.SearchResponse<unknown>;
  if (scroll !== null) {
    response._scroll_id = env.contexts.openScroll({ hits: sorted.map((h) => ({ part: parts[h.shard]!, doc: h.doc, sort: h.sort })), next: size, size, shards: parts.length, body, keepAliveMs: keepAlive! });
  }
  if (pit) response.pit_id = pit.id;
  Object.assign(response, {
    took: Math.max(0, Date.now() - env.started),
    timed_out: false,
    _shards: shardsOf(parts.length),
    hits: {
      ...(total === undefined ? {} : { total: q.get('rest_total_hits_as_int') === 'true' ? total.value : total }),
      max_score: page.length > 0 && scoreSorted ? 1 : null,
      hits: page.map((h) => toHit(h, body, scoreSorted)),
    },
  });
  if (aggs !== undefined) {
    const aggDocs: AggDoc[] = matched.map((h) => ({ index: h.index, source: h.doc.source }));
    response.aggregations = runAggs(aggs, aggDocs, env.now);
  }
  return response;
}

/** Under a point in time, Elasticsearch appends `_shard_doc` to a sort that lacks it (unless search_after omits its value). */
function addPitTiebreaker(keys: SortKey[], searchAfter: unknown): void {
  if (keys.length === 0 || keys.at(-1)!.field === '_shard_doc') return;
  if (Array.isArray(searchAfter) && searchAfter.length !== keys.length + 1) return;
  keys.push({ field: '_shard_doc', desc: false, missingFirst: false });
}

/** `POST /_search/scroll`: the next page of a scroll, from the snapshot it was opened on. */
export function scrollNext(env: SearchEnv, scrollId: string, keepAlive: string | undefined): estypes.ScrollResponse<unknown> {
  const ctx = env.contexts.scroll(scrollId, keepAlive === undefined ? undefined : SearchContexts.keepAlive(keepAlive, 'scroll'));
  const page = ctx.hits.slice(ctx.next, ctx.next + ctx.size);
  ctx.next += ctx.size;
  const scoreSorted = parseSort(ctx.body.sort).every((k) => k.field === '_score');
  return {
    _scroll_id: scrollId,
    took: Math.max(0, Date.now() - env.started),
    timed_out: false,
    _shards: shardsOf(ctx.shards),
    hits: {
      total: { value: ctx.hits.length, relation: 'eq' },
      max_score: page.length > 0 && scoreSorted ? 1 : null,
      hits: page.map((h) => toHit({ index: h.part.index, doc: h.doc, shard: h.part.shard, sort: h.sort as SortValue[] }, ctx.body, scoreSorted)),
    },
  };
}

export function count(env: SearchEnv, indexExpr: string | undefined, body: Body, q: URLSearchParams): estypes.CountResponse {
  for (const key of Object.keys(body)) if (key !== 'query') throw parsingError(`request does not support [${key}]`);
  const parts = snapshotOf(resolveIndices(env.store, indexExpr, indicesOptionsFrom(q)));
  const n = matchedDocs(parts, body.query, env.now).length;
  return { count: n, _shards: shardsOf(parts.length) };
}
