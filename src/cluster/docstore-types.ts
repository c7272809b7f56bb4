/**
 * The document-store seam: what a state backend kept on Elasticsearch/OpenSearch needs from a cluster
 * (documents by id with compare-and-set, `_bulk` with per-item results, paged searches, index and
 * template management). `docstore.ts` implements it over the official clients; the state store never
 * sees an SDK. Every failure is a {@link ClusterError}: status, the cluster's error type, whether a retry
 * can help, and never a credential.
 */
import { ClusterError } from './types.ts';
import type { ClusterInfo } from './types.ts';

/** A document as read: its source and the version a compare-and-set write must name. */
export interface Doc<T = Record<string, unknown>> {
  index: string;
  id: string;
  seqNo: number;
  primaryTerm: number;
  source: T;
}

/** Optimistic concurrency: the write applies only while the document still has this `_seq_no`/`_primary_term`. */
export interface Cas {
  ifSeqNo: number;
  ifPrimaryTerm: number;
}

export interface WriteResult {
  index: string;
  id: string;
  /** `created`, `updated`, `deleted`, `noop` or `not_found`. */
  result: string;
  seqNo: number;
  primaryTerm: number;
}

/**
 * One `_bulk` operation. `create` fails with 409 when the id exists; `cas` makes any write conditional.
 * A document may be given as its JSON text (a caller that has the text already saves serialising twice).
 */
export type BulkOp =
  | { op: 'index' | 'create'; index: string; id?: string; document: Record<string, unknown> | string; cas?: Cas }
  | { op: 'update'; index: string; id: string; doc: Record<string, unknown>; upsert?: Record<string, unknown>; cas?: Cas }
  | { op: 'delete'; index: string; id: string; cas?: Cas };

/** One `_bulk` item's outcome, in the order of the operations sent. Item failures are results, not exceptions. */
export type BulkItem = ({ ok: true } & WriteResult & { status: number }) | { ok: false; status: number; error: ClusterError };

export interface SearchHits<T = Record<string, unknown>> {
  /** Total matches (exact up to `track_total_hits`). */
  total: number;
  hits: Array<Doc<T> & { sort?: unknown[] }>;
}

export interface IndexSpec {
  settings?: Record<string, unknown>;
  mappings?: Record<string, unknown>;
  aliases?: Record<string, unknown>;
}

export interface IndexListing {
  index: string;
  /** Documents as of the last refresh. */
  docsCount: number;
}

/** Which indices a pattern reaches: hidden ones only when asked (Vigil's own indices are hidden). */
export interface SearchScope {
  /** Include hidden indices in wildcard expansion; default true (every Vigil index is hidden). */
  hidden?: boolean;
  /** A missing index or a pattern matching nothing yields no hits instead of a 404; default true. */
  lenient?: boolean;
}

export interface DocStoreClient {
  readonly name: string;
  info(): Promise<ClusterInfo>;
  /** Realtime GET by id: sees every acknowledged write, refreshed or not. Undefined when missing. */
  get<T = Record<string, unknown>>(index: string, id: string): Promise<Doc<T> | undefined>;
  /** Realtime `_mget`: one entry per reference, in order, undefined for a missing document. */
  mget<T = Record<string, unknown>>(refs: Array<{ index: string; id: string }>): Promise<Array<Doc<T> | undefined>>;
  /** Index or create one document; a CAS mismatch or an existing id with `create` throws a 409 (see isVersionConflict). */
  write(op: Extract<BulkOp, { op: 'index' | 'create' }>, opts?: { refresh?: boolean }): Promise<WriteResult>;
  /** Partial update (objects merged); 404 `document_missing_exception` when absent and no upsert is given. */
  update(op: Extract<BulkOp, { op: 'update' }>): Promise<WriteResult>;
  /** Deletes one document; false when it did not exist. */
  delete(index: string, id: string, cas?: Cas): Promise<boolean>;
  /** One `_bulk` request; item failures come back as items (never an exception), the request's own failure throws. */
  bulk(ops: BulkOp[], opts?: { refresh?: boolean }): Promise<BulkItem[]>;
  /** One page of a search. `body` is query DSL (`query`, `sort`, `size`, `search_after`, `track_total_hits`, …). */
  search<T = Record<string, unknown>>(index: string, body: Record<string, unknown>, scope?: SearchScope): Promise<SearchHits<T>>;
  /**
   * Every match, page by page in `sort` order over a point in time (a consistent view while paging),
   * `search_after` from one page to the next. `sort` must end in a field unique per document.
   */
  scan<T = Record<string, unknown>>(index: string, query: Record<string, unknown>, sort: unknown[], pageSize?: number): AsyncIterable<Doc<T>>;
  count(index: string, query?: Record<string, unknown>, scope?: SearchScope): Promise<number>;
  /** Makes acknowledged writes searchable now (no-op for a pattern matching nothing). */
  refresh(index: string): Promise<void>;
  /** Deletes matches of the refreshed view; returns how many were deleted (conflicts proceed). */
  deleteByQuery(index: string, query: Record<string, unknown>, maxDocs?: number): Promise<number>;
  /** Indexes matches of the refreshed view again as they are (new mapping fields take effect); returns how many. */
  updateByQuery(index: string, query: Record<string, unknown>): Promise<number>;
  /** Creates an index; false when it exists already (another daemon may have made it). */
  createIndex(name: string, spec: IndexSpec): Promise<boolean>;
  /** The mapping of each index the name or pattern reaches, by index name. */
  getMapping(name: string): Promise<Record<string, Record<string, unknown>>>;
  /** Adds fields (and `_meta`) to existing mappings; a changed field type is a 400. */
  putMapping(name: string, mapping: Record<string, unknown>): Promise<void>;
  deleteIndex(name: string): Promise<void>;
  /** Indices matching a pattern, hidden ones included, by name. */
  listIndices(pattern: string): Promise<IndexListing[]>;
  putIndexTemplate(name: string, body: Record<string, unknown>): Promise<void>;
  /** The template's body (`index_patterns`, `template`, `priority`, `_meta`, …) or undefined. */
  getIndexTemplate(name: string): Promise<Record<string, unknown> | undefined>;
  deleteIndexTemplate(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A compare-and-set mismatch or an existing id under `create`: 409 `version_conflict_engine_exception`. */
export function isVersionConflict(e: unknown): boolean {
  return e instanceof ClusterError && e.status === 409 && e.type === 'version_conflict_engine_exception';
}
