/**
 * The document-store conformance suite talks to a cluster through the official clients, so every
 * answer is parsed by the client a backend would use: the Elasticsearch clients (8.x and 9.x share
 * these calls) or the OpenSearch client (bodies under `body`, answers wrapped in `{body}`). A failed
 * call resolves to its status and error body instead of throwing, so cases can assert on both.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Client as EsClient } from '@elastic/elasticsearch';
import type { Client as OsClient } from '@opensearch-project/opensearch';

type Json = Record<string, any>;

/** A client call's outcome: the parsed body, or the status and error body of a ResponseError. */
export type Outcome<T> = { ok: true; status: number; body: T } | { ok: false; status: number; body: estypes.ErrorResponseBase & Json };

export interface WriteParams {
  index: string;
  id?: string;
  document: Json;
  refresh?: boolean | 'wait_for';
  if_seq_no?: number;
  if_primary_term?: number;
  op_type?: 'index' | 'create';
  version?: number;
  version_type?: 'external' | 'external_gte';
}

/** The operations the suite needs, each as the official client calls it. */
export interface DocClient {
  readonly distribution: 'elasticsearch' | 'opensearch';
  index(p: WriteParams): Promise<Outcome<estypes.WriteResponseBase>>;
  get(p: { index: string; id: string; realtime?: boolean; _source?: boolean | string[] }): Promise<Outcome<estypes.GetGetResult<Json>>>;
  exists(p: { index: string; id: string }): Promise<boolean>;
  delete(p: { index: string; id: string; refresh?: boolean; if_seq_no?: number; if_primary_term?: number }): Promise<Outcome<estypes.WriteResponseBase>>;
  update(p: { index: string; id: string; body: Json; refresh?: boolean; if_seq_no?: number; if_primary_term?: number }): Promise<Outcome<estypes.UpdateResponse<Json>>>;
  mget(p: { index?: string; body: Json }): Promise<Outcome<estypes.MgetResponse<Json>>>;
  bulk(p: { operations: Json[]; refresh?: boolean | 'wait_for' }): Promise<Outcome<estypes.BulkResponse>>;
  refresh(index: string): Promise<Outcome<estypes.IndicesRefreshResponse>>;
  createIndex(index: string, body: Json): Promise<Outcome<estypes.IndicesCreateResponse>>;
  getIndex(index: string): Promise<Outcome<estypes.IndicesGetResponse>>;
  indexExists(index: string): Promise<boolean>;
  deleteIndex(index: string): Promise<Outcome<estypes.IndicesDeleteResponse>>;
  getMapping(index: string): Promise<Outcome<estypes.IndicesGetMappingResponse>>;
  putMapping(index: string, body: Json): Promise<Outcome<estypes.IndicesPutMappingResponse>>;
  catIndices(pattern: string, expandWildcards?: 'all' | 'open'): Promise<Outcome<Array<Record<string, string>>>>;
  putIndexTemplate(name: string, body: Json): Promise<Outcome<estypes.AcknowledgedResponseBase>>;
  deleteIndexTemplate(name: string): Promise<Outcome<estypes.AcknowledgedResponseBase>>;
  updateAliases(actions: Json[]): Promise<Outcome<estypes.AcknowledgedResponseBase>>;
  search(p: { index?: string; body: Json; scroll?: string }): Promise<Outcome<estypes.SearchResponse<Json>>>;
  scroll(scrollId: string, keepAlive: string): Promise<Outcome<estypes.ScrollResponse<Json>>>;
  clearScroll(scrollId: string): Promise<Outcome<estypes.ClearScrollResponse>>;
  /** Opens a point in time with the product's own API; returns its id. */
  openPit(index: string, keepAlive: string): Promise<Outcome<string>>;
  closePit(id: string): Promise<Outcome<unknown>>;
  deleteByQuery(index: string, query: Json, opts?: { refresh?: boolean; conflicts?: 'proceed' | 'abort' }): Promise<Outcome<estypes.DeleteByQueryResponse>>;
}

async function outcome<T>(p: Promise<T>, unwrap: (v: any) => { status: number; body: any }): Promise<Outcome<any>> {
  try {
    const { status, body } = unwrap(await p);
    // A status the call was told to ignore (a GET's 404) still fails when the body is an error.
    if (status >= 400 && typeof body === 'object' && body !== null && 'error' in body) return { ok: false, status, body };
    return { ok: true, status, body };
  } catch (e) {
    const meta = (e as { meta?: { statusCode?: number; body?: unknown } }).meta;
    if (!meta || typeof meta.statusCode !== 'number') throw e;
    return { ok: false, status: meta.statusCode, body: (typeof meta.body === 'string' ? JSON.parse(meta.body) : meta.body) as Json & estypes.ErrorResponseBase };
  }
}

/** An Elasticsearch client (9.x, or 8.x through the same calls). */
export function esDocClient(client: EsClient): DocClient {
  const meta = { meta: true } as const;
  const call = <T>(p: Promise<T>) => outcome(p, (r: { statusCode: number; body: unknown }) => ({ status: r.statusCode, body: r.body }));
  return {
    distribution: 'elasticsearch',
    index: (p) => call(client.index({ ...p }, meta)),
    get: (p) => call(client.get(p, { ...meta, ignore: [404] })),
    exists: (p) => client.exists(p),
    delete: (p) => call(client.delete(p, meta)),
    update: ({ body, ...p }) => call(client.update({ ...p, ...body }, meta)),
    mget: ({ index, body }) => call(client.mget({ index, ...body }, meta)),
    bulk: (p) => call(client.bulk(p, meta)),
    refresh: (index) => call(client.indices.refresh({ index }, meta)),
    createIndex: (index, body) => call(client.indices.create({ index, ...body }, meta)),
    getIndex: (index) => call(client.indices.get({ index }, meta)),
    indexExists: (index) => client.indices.exists({ index }),
    deleteIndex: (index) => call(client.indices.delete({ index }, meta)),
    getMapping: (index) => call(client.indices.getMapping({ index }, meta)),
    putMapping: (index, body) => call(client.indices.putMapping({ index, ...body }, meta)),
    catIndices: (pattern, expand) => call(client.cat.indices({ index: pattern, format: 'json', expand_wildcards: expand }, meta)),
    putIndexTemplate: (name, body) => call(client.indices.putIndexTemplate({ name, ...body }, meta)),
    deleteIndexTemplate: (name) => call(client.indices.deleteIndexTemplate({ name }, meta)),
    updateAliases: (actions) => call(client.indices.updateAliases({ actions }, meta)),
    search: ({ index, body, scroll }) => call(client.search({ index, scroll, ...body }, meta)),
    scroll: (scroll_id, scroll) => call(client.scroll({ scroll_id, scroll }, meta)),
    clearScroll: (scroll_id) => call(client.clearScroll({ scroll_id }, meta)),
    openPit: async (index, keep_alive) => {
      const r = await call(client.openPointInTime({ index, keep_alive }, meta));
      return r.ok ? { ...r, body: (r.body as estypes.OpenPointInTimeResponse).id } : r;
    },
    closePit: (id) => call(client.closePointInTime({ id }, meta)),
    deleteByQuery: (index, query, o = {}) => call(client.deleteByQuery({ index, query, ...o }, meta)),
  };
}

export function osDocClient(client: OsClient): DocClient {
  const call = <T>(p: Promise<T>) => outcome(p, (r: { statusCode: number; body: unknown }) => ({ status: r.statusCode, body: r.body }));
  return {
    distribution: 'opensearch',
    index: ({ document, ...p }) => call(client.index({ ...p, body: document })),
    get: (p) => call(client.get(p, { ignore: [404] })),
    exists: async (p) => (await client.exists(p)).body as boolean,
    delete: (p) => call(client.delete(p)),
    update: (p) => call(client.update(p)),
    mget: (p) => call(client.mget(p as Parameters<OsClient['mget']>[0])),
    bulk: ({ operations, refresh }) => call(client.bulk({ body: operations, refresh })),
    refresh: (index) => call(client.indices.refresh({ index })),
    createIndex: (index, body) => call(client.indices.create({ index, body })),
    getIndex: (index) => call(client.indices.get({ index })),
    indexExists: async (index) => (await client.indices.exists({ index })).body as boolean,
    deleteIndex: (index) => call(client.indices.delete({ index })),
    getMapping: (index) => call(client.indices.getMapping({ index })),
    putMapping: (index, body) => call(client.indices.putMapping({ index, body })),
    catIndices: (pattern, expand) => call(client.cat.indices({ index: pattern, format: 'json', expand_wildcards: expand })),
    putIndexTemplate: (name, body) => call(client.indices.putIndexTemplate({ name, body })),
    deleteIndexTemplate: (name) => call(client.indices.deleteIndexTemplate({ name })),
    updateAliases: (actions) => call(client.indices.updateAliases({ body: { actions } })),
    search: ({ index, body, scroll }) => call(client.search({ index, body, scroll })),
    scroll: (scroll_id, scroll) => call(client.scroll({ body: { scroll_id, scroll } })),
    clearScroll: (scroll_id) => call(client.clearScroll({ body: { scroll_id } })),
    openPit: async (index, keep_alive) => {
      const r = await call(client.createPit({ index: [index], keep_alive }));
      return r.ok ? { ...r, body: (r.body as { pit_id: string }).pit_id } : r;
    },
    closePit: (id) => call(client.deletePit({ body: { pit_id: [id] } })),
    deleteByQuery: (index, query, o = {}) => call(client.deleteByQuery({ index, body: { query }, ...o })),
  };
}
