/**
 * `_bulk` in and out: operations to NDJSON lines, and each item of the answer to a result or a
 * ClusterError of its own (one failed item never fails the others).
 */
import type { BulkItem, BulkOp, Doc } from './docstore-types.ts';
import { clusterErrorFromResponse, type ErrorContext } from './errors.ts';

/**
 * The NDJSON body of a `_bulk` request (ending in a newline, as the API requires). Action lines are
 * written as text: only the index and id need escaping, and this runs for every state, outbox and
 * log write (tens of requests of ~100 items a second under load).
 */
export function bulkBody(ops: BulkOp[]): string {
  let out = '';
  for (const o of ops) {
    out += `{"${o.op}":{"_index":${JSON.stringify(o.index)}`;
    if (o.id !== undefined) out += `,"_id":${JSON.stringify(o.id)}`;
    if (o.cas) out += `,"if_seq_no":${JSON.stringify(o.cas.ifSeqNo)},"if_primary_term":${JSON.stringify(o.cas.ifPrimaryTerm)}`;
    out += '}}\n';
    if (o.op === 'index' || o.op === 'create') out += (typeof o.document === 'string' ? o.document : JSON.stringify(o.document)) + '\n';
    else if (o.op === 'update') out += JSON.stringify({ doc: o.doc, ...(o.upsert ? { upsert: o.upsert } : {}) }) + '\n';
  }
  return out;
}

interface RawItem {
  _index?: string;
  _id?: string;
  status?: number;
  result?: string;
  _seq_no?: number;
  _primary_term?: number;
  error?: unknown;
}

export function bulkItems(ctx: ErrorContext, ops: BulkOp[], body: unknown): BulkItem[] {
  const items = (body as { items?: Array<Record<string, RawItem>> }).items ?? [];
  return ops.map((o, i): BulkItem => {
    const raw = items[i] ? Object.values(items[i])[0] : undefined;
    if (!raw) return { ok: false, status: 0, error: clusterErrorFromResponse(ctx, 500, { error: { type: 'missing_bulk_item', reason: `no item ${i} in the _bulk answer` } }) };
    const status = raw.status ?? 0;
    // A delete of a missing document is a 404 without an error object: a result, not a failure.
    if (raw.error || (status >= 300 && !(o.op === 'delete' && status === 404))) {
      return { ok: false, status, error: clusterErrorFromResponse(ctx, status, { error: raw.error }) };
    }
    return { ok: true, status, index: raw._index ?? o.index, id: raw._id ?? o.id ?? '', result: raw.result ?? '', seqNo: raw._seq_no ?? -1, primaryTerm: raw._primary_term ?? 0 };
  });
}

interface RawDoc {
  _index: string;
  _id: string;
  _seq_no?: number;
  _primary_term?: number;
  found?: boolean;
  _source?: unknown;
  sort?: unknown[];
  error?: unknown;
}

/** A GET/mget/search hit as a Doc; undefined when not found. */
export function toDoc<T>(raw: RawDoc | undefined): (Doc<T> & { sort?: unknown[] }) | undefined {
  if (!raw || raw.found === false || raw._source === undefined) return undefined;
  return {
    index: raw._index,
    id: raw._id,
    seqNo: raw._seq_no ?? -1,
    primaryTerm: raw._primary_term ?? 0,
    source: raw._source as T,
    ...(raw.sort ? { sort: raw.sort } : {}),
  };
}

/** An mget entry's own failure (a missing index answers per document), raised as the request's error. */
export function mgetError(ctx: ErrorContext, raw: RawDoc | undefined): Error | undefined {
  if (!raw?.error) return undefined;
  const type = (raw.error as { type?: string }).type;
  // Reading from an index that is not there yet is reading a missing document.
  if (type === 'index_not_found_exception') return undefined;
  return clusterErrorFromResponse(ctx, 500, { error: raw.error });
}
