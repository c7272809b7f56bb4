/**
 * `_bulk`: NDJSON as the clients and curl send it (`application/x-ndjson` or `application/json`; the
 * body must end with a newline), parsed and validated as a whole first (a malformed line or an invalid
 * item fails the request with 400), then each item applied in order with its own result or error in
 * the real item shape (`status`, `error` without root_cause) and `errors: true` when any failed.
 */
import type { estypes } from '@elastic/elasticsearch';
import { randomBytes } from 'node:crypto';
import type { IndexData, Store, WriteOptions } from './store.ts';
import { ClusterHttpError, httpError, illegalArgument, validationError } from './errors.ts';
import { applyRefresh, refreshPolicy, writeOptions } from './write-options.ts';
import { parseDocument, withForcedRefresh, writeResponse } from './documents.ts';
import { update, validateUpdate, type UpdateOptions } from './update.ts';

type Action = 'index' | 'create' | 'delete' | 'update';
const ACTIONS: readonly Action[] = ['index', 'create', 'delete', 'update'];
const META_KEYS = new Set(['_index', '_id', 'routing', 'if_seq_no', 'if_primary_term', 'version', 'version_type', 'op_type', 'retry_on_conflict', 'pipeline', 'require_alias', 'require_data_stream', 'dynamic_templates', '_source', 'list_executed_pipelines']);

interface Item {
  action: Action;
  index: string;
  id: string | undefined;
  opts: WriteOptions;
  update?: UpdateOptions;
  raw?: string;
  body?: Record<string, unknown>;
  line: number;
}

function parseLines(raw: string, defaultIndex: string | undefined): Item[] {
  const lastNewline = raw.lastIndexOf('\n');
  if (raw.slice(lastNewline + 1).trim() !== '') throw illegalArgument('The bulk request must be terminated by a newline [\\n]');
  const lines = raw.slice(0, lastNewline + 1).split('\n');
  const items: Item[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.replace(/\r$/, '');
    if (text.trim() === '') continue;
    let meta: unknown;
    try {
      meta = JSON.parse(text);
    } catch {
      throw illegalArgument(`Malformed action/metadata line [${i + 1}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]`);
    }
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw illegalArgument(`Malformed action/metadata line [${i + 1}], expected START_OBJECT but found [${Array.isArray(meta) ? 'START_ARRAY' : 'VALUE_STRING'}]`);
    const action = Object.keys(meta)[0] as Action | undefined;
    if (!action || !ACTIONS.includes(action)) {
      throw illegalArgument(`Malformed action/metadata line [${i + 1}], expected field [create], [delete], [index] or [update] but found [${action}]`);
    }
    const m = ((meta as Record<string, unknown>)[action] ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(m)) if (!META_KEYS.has(k)) throw illegalArgument(`Action/metadata line [${i + 1}] contains an unknown parameter [${k}]`);
    const index = (m._index as string | undefined) ?? defaultIndex;
    // An index or create item without an id gets one before it is applied, so even its error names it.
    const id = m._id === undefined || m._id === null ? (action === 'index' || action === 'create' ? randomBytes(15).toString('base64url') : undefined) : String(m._id);
    const n = items.length;
    if (!index) problems.push('index is missing');
    if ((action === 'delete' || action === 'update') && id === undefined) problems.push('id is missing');
    const item: Item = { action, index: index ?? '', id, opts: {}, line: i + 1 };
    if (action === 'update') {
      const num = (k: string) => (m[k] === undefined ? undefined : Number(m[k]));
      item.update = { ifSeqNo: num('if_seq_no'), ifPrimaryTerm: num('if_primary_term'), retryOnConflict: num('retry_on_conflict'), sourceParam: m._source };
    } else {
      try {
        item.opts = writeOptions((k) => m[k], action);
      } catch (e) {
        if (!(e instanceof ClusterHttpError)) throw e;
        problems.push(String(e.body.error.reason).replace(/^Validation Failed: \d+: /, '').replace(/;$/, ''));
      }
    }
    if (action !== 'delete') {
      i++;
      if (i >= lines.length || lines[i]!.trim() === '') throw illegalArgument(`Validation Failed: 1: source is missing for item [${n}];`);
      item.raw = lines[i]!.replace(/\r$/, '');
      if (action === 'update') {
        // Update bodies are parsed with the request; a bad one fails the whole bulk.
        let body: unknown;
        try {
          body = JSON.parse(item.raw);
        } catch {
          throw httpError(400, 'x_content_parse_exception', `[1:1] Unexpected character in update request on line [${i + 1}]`);
        }
        item.body = validateUpdate(body, item.update!);
      }
    }
    items.push(item);
  }
  if (items.length === 0) throw validationError('no requests added');
  if (problems.length > 0) throw validationError(...problems);
  return items;
}

function failure(item: Item, e: ClusterHttpError): estypes.BulkResponseItem {
  const { root_cause: _r, ...cause } = e.body.error;
  return { _index: item.index, _id: item.id ?? null, status: e.status, error: cause };
}

/** A `_bulk` answer: the response, and what must settle before it is sent (`refresh=wait_for`). */
export interface BulkAnswer {
  body: estypes.BulkResponse;
  wait?: Promise<void>;
}

/**
 * Items applied between two yields to the event loop. A real node applies a bulk on its write threads
 * while its search threads answer searches; one event loop applying 80 items in a row would hold every
 * search queued behind it, so a longer bulk lets other requests in between chunks.
 */
export const BULK_CHUNK = 16;

/**
 * Applies a bulk request's items in order. At most `BULK_CHUNK` items: synchronously. More: the first
 * chunk synchronously, the rest after yields (other requests may interleave between chunks, as they
 * may between a real node's items; each item still sees everything applied before it).
 */
export function bulk(store: Store, defaultIndex: string | undefined, raw: string, q: URLSearchParams, started: number): BulkAnswer | Promise<BulkAnswer> {
  const policy = refreshPolicy(q.get('refresh'));
  const items = parseLines(raw, defaultIndex);
  const results: Array<{ action: Action; item: estypes.BulkResponseItem }> = [];
  const written = new Set<IndexData>();
  const apply = (from: number, to: number) => {
    for (let n = from; n < to; n++) results.push(applyItem(store, items[n]!, written));
  };
  const finish = (): BulkAnswer => {
    const { forced, wait } = applyRefresh(store, written, policy);
    const out = results.map(({ action, item }) => {
      if (!forced || item.error !== undefined || item.result === 'noop') return { [action]: item };
      // `status` stays last, after the flag, as in the real item.
      const { status, ...rest } = item;
      return { [action]: { ...withForcedRefresh(rest as estypes.WriteResponseBase), status } as estypes.BulkResponseItem };
    });
    return { body: { errors: results.some((r) => r.item.error !== undefined), took: Math.max(0, Date.now() - started), items: out }, wait };
  };
  if (items.length <= BULK_CHUNK) {
    apply(0, items.length);
    return finish();
  }
  return (async () => {
    for (let from = 0; from < items.length; from += BULK_CHUNK) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      apply(from, Math.min(items.length, from + BULK_CHUNK));
    }
    return finish();
  })();
}

function applyItem(store: Store, item: Item, written: Set<IndexData>): { action: Action; item: estypes.BulkResponseItem } {
  try {
    let r: estypes.BulkResponseItem;
    if (item.action === 'delete') {
      const d = store.delete(item.index, item.id!, item.opts);
      written.add(d.index);
      r = { ...writeResponse(d.index, item.id!, { ...d, result: d.found ? 'deleted' : 'not_found', primaryTerm: d.index.primaryTerm }, false), status: d.found ? 200 : 404 };
    } else if (item.action === 'update') {
      const u = update(store, item.index, item.id!, item.body!, item.update!);
      if (u.written) written.add(u.written);
      r = { ...u.body, status: u.status } as estypes.BulkResponseItem;
    } else {
      const source = parseDocument(item.raw!, store.mappingOptions.distribution);
      const w = store.write(item.index, item.id, source, { ...item.opts, raw: item.raw });
      written.add(w.index);
      r = { ...writeResponse(w.index, w.doc.id, { ...w.doc, result: w.result }, false), status: w.result === 'created' ? 201 : 200 };
    }
    return { action: item.action, item: r };
  } catch (e) {
    if (!(e instanceof ClusterHttpError)) throw e;
    return { action: item.action, item: failure(item, e) };
  }
}
