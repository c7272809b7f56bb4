/**
 * Index APIs: create (`PUT /{index}` with settings, mappings and aliases), get, exists, delete (with
 * the product's wildcard rule), `_mapping` get and put, `_refresh`, `_cat/indices` (JSON or the text
 * table curl shows) and `_cluster/health`, answering in the shapes the clients' types describe.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { IndexData, Store } from './store.ts';
import { httpError, illegalArgument, parsingError } from './errors.ts';
import { renderMapping } from './mapping.ts';
import { renderSettings, replicas } from './settings.ts';
import { indicesOptionsFrom, resolveIndices } from './resolve.ts';
import type { AliasSpec } from './index-data.ts';

type Json = Record<string, unknown>;

export function createIndex(store: Store, name: string, body: Json): estypes.IndicesCreateResponse {
  for (const k of Object.keys(body)) if (!['settings', 'mappings', 'aliases'].includes(k)) throw parsingError(`unknown key [${k}] for create index`);
  store.createIndex(name, { settings: body.settings, mappings: body.mappings, aliases: body.aliases as Record<string, AliasSpec> | undefined });
  return { acknowledged: true, shards_acknowledged: true, index: name };
}

function aliasesOf(index: IndexData): Record<string, estypes.IndicesAlias> {
  return Object.fromEntries([...index.aliases].sort(([a], [b]) => (a < b ? -1 : 1))) as Record<string, estypes.IndicesAlias>;
}

export function getIndex(store: Store, expr: string, q: URLSearchParams): estypes.IndicesGetResponse {
  const indices = resolveIndices(store, expr, indicesOptionsFrom(q));
  return Object.fromEntries(
    indices.map((i) => [
      i.name,
      {
        aliases: aliasesOf(i),
        mappings: renderMapping(i.mapping),
        settings: renderSettings(i.settings, { name: i.name, uuid: i.uuid, created: i.created, versionCreated: store.versionCreated }) as estypes.IndicesIndexSettings,
      },
    ]),
  );
}

export function getMapping(store: Store, expr: string | undefined, q: URLSearchParams): estypes.IndicesGetMappingResponse {
  const indices = resolveIndices(store, expr, indicesOptionsFrom(q));
  return Object.fromEntries(indices.map((i) => [i.name, { mappings: renderMapping(i.mapping) as estypes.MappingTypeMapping }]));
}

/** `PUT /{index}/_mapping`: checked against every target first, so a conflict changes none of them. */
export function putMapping(store: Store, expr: string, body: Json, q: URLSearchParams): estypes.IndicesPutMappingResponse {
  const indices = resolveIndices(store, expr, indicesOptionsFrom(q));
  const before = indices.map((i) => i.mapping);
  try {
    for (const i of indices) store.putMapping(i, body);
  } catch (e) {
    indices.forEach((i, n) => (i.mapping = before[n]!));
    throw e;
  }
  return { acknowledged: true };
}

/**
 * `DELETE /{index}`. Elasticsearch 8+ refuses wildcards and `_all` (`action.destructive_requires_name`
 * defaults to true there) and alias names; OpenSearch expands wildcards.
 */
export function deleteIndex(store: Store, expr: string, q: URLSearchParams): estypes.IndicesDeleteResponse {
  const es = store.mappingOptions.distribution === 'elasticsearch';
  const parts = expr.split(',');
  if (es && parts.some((p) => p.includes('*') || p === '_all')) throw illegalArgument('Wildcard expressions or all indices are not allowed');
  const opts = indicesOptionsFrom(q, { expandWildcards: ['open', 'closed'] });
  for (const p of parts) {
    if (!p.includes('*') && !store.indices.has(p) && store.aliasIndices(p).length > 0) {
      throw illegalArgument(`The provided expression [${p}] matches an alias, specify the corresponding concrete indices instead.`);
    }
  }
  for (const i of resolveIndices(store, expr, opts)) store.deleteIndex(i.name);
  return { acknowledged: true };
}

export function refreshIndices(store: Store, expr: string | undefined, q: URLSearchParams): estypes.IndicesRefreshResponse {
  const indices = resolveIndices(store, expr, indicesOptionsFrom(q));
  for (const i of indices) store.refresh(i);
  const total = indices.reduce((n, i) => n + 1 + replicas(i.settings), 0);
  return { _shards: { total, successful: indices.length, failed: 0 } };
}

/** One node holds every primary and no replica: an index that wants replicas is yellow. */
function health(i: IndexData): 'green' | 'yellow' {
  return replicas(i.settings) > 0 && i.settings.flat['index.auto_expand_replicas'] === undefined ? 'yellow' : 'green';
}

export function clusterHealth(store: Store, clusterName: string): estypes.ClusterHealthResponse {
  const indices = [...store.indices.values()];
  const unassigned = indices.reduce((n, i) => n + (health(i) === 'yellow' ? replicas(i.settings) : 0), 0);
  const active = indices.length;
  return {
    cluster_name: clusterName,
    status: indices.some((i) => health(i) === 'yellow') ? 'yellow' : 'green',
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    active_primary_shards: active,
    active_shards: active,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: unassigned,
    unassigned_primary_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: active + unassigned === 0 ? 100 : (100 * active) / (active + unassigned),
  };
}

const CAT_COLUMNS = ['health', 'status', 'index', 'uuid', 'pri', 'rep', 'docs.count', 'docs.deleted', 'store.size', 'pri.store.size'] as const;
type CatColumn = (typeof CAT_COLUMNS)[number];

/**
 * The size of an index's refreshed documents. Serialising every source is the dearest thing `_cat/indices`
 * does (the state backend lists its log indices with `h=index,docs.count` while they hold tens of thousands
 * of documents), so it is computed only for the columns that show it, once per refreshed view.
 */
const sizes = new WeakMap<IndexData, { generation: number; size: string }>();
function storeSize(i: IndexData): string {
  const known = sizes.get(i);
  if (known?.generation === i.viewGeneration) return known.size;
  const size = `${Math.max(225, Buffer.byteLength(JSON.stringify([...i.searchable.values()].map((d) => d.source))))}b`;
  sizes.set(i, { generation: i.viewGeneration, size });
  return size;
}

function catColumn(i: IndexData, c: CatColumn): string {
  switch (c) {
    case 'health': return health(i);
    case 'status': return 'open';
    case 'index': return i.name;
    case 'uuid': return i.uuid;
    case 'pri': return '1';
    case 'rep': return String(replicas(i.settings));
    case 'docs.count': return String(i.searchable.size);
    case 'docs.deleted': return '0';
    case 'store.size':
    case 'pri.store.size': return storeSize(i);
  }
}

/**
 * `_cat/indices`: hidden indices only with `expand_wildcards=all|hidden`; `format=json` gives objects
 * of strings, otherwise the aligned text table (`v` adds the header row, `h` picks columns).
 */
export function catIndices(store: Store, expr: string | undefined, q: URLSearchParams): { json: boolean; body: unknown } {
  const indices = resolveIndices(store, expr, indicesOptionsFrom(q));
  const columns = q.get('h')?.split(',') ?? [...CAT_COLUMNS];
  for (const c of columns) if (!(CAT_COLUMNS as readonly string[]).includes(c)) throw illegalArgument(`Unknown header: [${c}]`);
  const picked = indices.map((i) => Object.fromEntries(columns.map((c) => [c, catColumn(i, c as CatColumn)])));
  if (q.get('format') === 'json') return { json: true, body: picked };
  if (q.get('format') !== null && q.get('format') !== 'txt' && q.get('format') !== 'text') throw httpError(400, 'illegal_argument_exception', `Unsupported format [${q.get('format')}]`);
  const table = q.has('v') ? [Object.fromEntries(columns.map((c) => [c, c])), ...picked] : picked;
  const widths = columns.map((c) => Math.max(...table.map((r) => String(r[c]).length)));
  return { json: false, body: table.map((r) => columns.map((c, n) => String(r[c]).padEnd(widths[n]!)).join(' ').trimEnd() + '\n').join('') };
}
