/**
 * Single-document APIs: index/create (`PUT|POST /{index}/_doc/{id}`, `_create`), realtime GET (and
 * `realtime=false`, which reads the refreshed view), `_source`, HEAD and DELETE, with compare-and-set,
 * versions and the refresh policy, answering in the shapes the clients' types describe.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { IndexData, Store, StoredDoc } from './store.ts';
import { ClusterHttpError, errorBody, httpError } from './errors.ts';
import { applyRefresh, refreshPolicy, writeOptions } from './write-options.ts';
import { filterSource, sourceSpecFromQuery } from './source-filter.ts';

/** A handler's answer; `wait` (refresh=wait_for) must settle before it is sent. */
export interface DocAnswer<T = unknown> {
  status: number;
  body: T;
  wait?: Promise<void>;
}

/** Parses a document body, failing as the document parser fails on text that is not a JSON object. */
export function parseDocument(raw: string, distribution: 'elasticsearch' | 'opensearch'): Record<string, unknown> {
  if (raw.trim() === '') throw httpError(400, 'parse_exception', 'request body is required');
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    const type = distribution === 'elasticsearch' ? 'document_parsing_exception' : 'mapper_parsing_exception';
    throw new ClusterHttpError(400, errorBody(400, { type, reason: distribution === 'elasticsearch' ? '[1:1] failed to parse' : 'failed to parse', caused_by: { type: 'json_parse_exception', reason: (e as Error).message } }));
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw httpError(400, distribution === 'elasticsearch' ? 'document_parsing_exception' : 'mapper_parsing_exception', distribution === 'elasticsearch' ? '[1:1] failed to parse' : 'failed to parse');
  }
  return v as Record<string, unknown>;
}

/** The answer to a successful write, as index, delete and update (and each `_bulk` item) give it. */
export function writeResponse(index: IndexData, id: string, r: { version: number; result: estypes.Result; seqNo: number; primaryTerm: number }, forced: boolean): estypes.WriteResponseBase {
  const body: estypes.WriteResponseBase = { _index: index.name, _id: id, _version: r.version, result: r.result, _shards: index.shards(), _seq_no: r.seqNo, _primary_term: r.primaryTerm };
  return forced ? withForcedRefresh(body) : body;
}

/** Marks a write answer as refreshed by `refresh=true` (the real serialiser puts the flag between result and _shards). */
export function withForcedRefresh<T extends estypes.WriteResponseBase>(body: T): T {
  const { _shards, _seq_no, _primary_term, ...head } = body;
  const rest = Object.fromEntries(Object.entries({ _shards, _seq_no, _primary_term }).filter(([, v]) => v !== undefined));
  return { ...head, forced_refresh: true, ...rest } as T;
}

export function indexDoc(store: Store, target: string, id: string | undefined, raw: string, q: URLSearchParams, kind: 'index' | 'create'): DocAnswer<estypes.WriteResponseBase> {
  const opts = writeOptions((k) => q.get(k) ?? undefined, kind);
  const policy = refreshPolicy(q.get('refresh'));
  const source = parseDocument(raw, store.mappingOptions.distribution);
  const { index, doc, result } = store.write(target, id, source, { ...opts, raw });
  const { forced, wait } = applyRefresh(store, [index], policy);
  return { status: result === 'created' ? 201 : 200, body: writeResponse(index, doc.id, { ...doc, result }, forced), wait };
}

export function getResult(index: IndexData, id: string, doc: StoredDoc | undefined, sourceSpec: unknown): estypes.GetGetResult<unknown> {
  if (!doc) return { _index: index.name, _id: id, found: false };
  const out: estypes.GetGetResult<unknown> = { _index: index.name, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: doc.primaryTerm, found: true };
  const src = filterSource(doc.source, sourceSpec);
  if (src !== undefined) out._source = src;
  return out;
}

/** The document a GET sees: the latest write (realtime, the default), or the refreshed view with `realtime=false`. */
export function lookup(index: IndexData, id: string, realtime: boolean): StoredDoc | undefined {
  return realtime ? index.docs.get(id) : index.searchable.get(id);
}

export function getDoc(store: Store, target: string, id: string, q: URLSearchParams): DocAnswer<estypes.GetGetResult<unknown>> {
  const index = store.readIndex(target);
  if (refreshPolicy(q.get('refresh')) === 'true') store.refresh(index);
  const doc = lookup(index, id, q.get('realtime') !== 'false');
  return { status: doc ? 200 : 404, body: getResult(index, id, doc, sourceSpecFromQuery(q)) };
}

/** `GET /{index}/_source/{id}`: the source alone, or the real 404 when there is none. */
export function getSource(store: Store, target: string, id: string, q: URLSearchParams): DocAnswer {
  const index = store.readIndex(target);
  const doc = lookup(index, id, q.get('realtime') !== 'false');
  if (!doc) throw httpError(404, 'resource_not_found_exception', `Document not found [${index.name}]/[${id}]`);
  return { status: 200, body: filterSource(doc.source, sourceSpecFromQuery(q)) ?? {} };
}

export function deleteDoc(store: Store, target: string, id: string, q: URLSearchParams): DocAnswer<estypes.WriteResponseBase> {
  const opts = writeOptions((k) => q.get(k) ?? undefined, 'delete');
  const policy = refreshPolicy(q.get('refresh'));
  const r = store.delete(target, id, opts);
  const { forced, wait } = applyRefresh(store, [r.index], policy);
  return { status: r.found ? 200 : 404, body: writeResponse(r.index, id, { ...r, result: r.found ? 'deleted' : 'not_found', primaryTerm: r.index.primaryTerm }, forced), wait };
}
