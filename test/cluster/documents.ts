/**
 * Document APIs: index/create/get/delete with `_seq_no`/`_primary_term` and optimistic concurrency, and
 * `_bulk` (NDJSON index/create/delete/update), answering in the shapes the clients' types describe.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Store, WriteOptions } from './store.ts';
import { ClusterHttpError, httpError, indexNotFound } from './errors.ts';

const SHARDS = { total: 2, successful: 1, failed: 0 } as const;

export function writeOptions(q: URLSearchParams, forceCreate = false): WriteOptions {
  const opType = forceCreate ? 'create' : (q.get('op_type') as 'index' | 'create' | null) ?? undefined;
  const ifSeqNo = q.get('if_seq_no');
  const ifPrimaryTerm = q.get('if_primary_term');
  return {
    opType: opType ?? undefined,
    ifSeqNo: ifSeqNo === null ? undefined : Number(ifSeqNo),
    ifPrimaryTerm: ifPrimaryTerm === null ? undefined : Number(ifPrimaryTerm),
  };
}

export function indexDoc(store: Store, index: string, id: string | undefined, body: unknown, opts: WriteOptions): { status: number; body: estypes.WriteResponseBase } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw httpError(400, 'mapper_parsing_exception', 'failed to parse, document is empty');
  const { doc, result } = store.write(index, id, body as Record<string, unknown>, opts);
  return {
    status: result === 'created' ? 201 : 200,
    body: { _index: index, _id: doc.id, _version: doc.version, result, _shards: { ...SHARDS }, _seq_no: doc.seqNo, _primary_term: doc.primaryTerm },
  };
}

export function getDoc(store: Store, index: string, id: string): { status: number; body: estypes.GetGetResult<unknown> } {
  const data = store.get(index);
  const doc = data.docs.get(id);
  if (!doc) return { status: 404, body: { _index: index, _id: id, found: false } };
  return {
    status: 200,
    body: { _index: index, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: doc.primaryTerm, found: true, _source: doc.source },
  };
}

export function deleteDoc(store: Store, index: string, id: string): { status: number; body: estypes.WriteResponseBase } {
  const { doc, seqNo } = store.delete(index, id);
  return {
    status: doc ? 200 : 404,
    body: { _index: index, _id: id, _version: (doc?.version ?? 0) + 1, result: doc ? 'deleted' : 'not_found', _shards: { ...SHARDS }, _seq_no: seqNo, _primary_term: 1 },
  };
}

type BulkAction = 'index' | 'create' | 'delete' | 'update';

export function bulk(store: Store, defaultIndex: string | undefined, raw: string, started: number): estypes.BulkResponse {
  const lines = raw.split('\n').filter((l) => l.trim() !== '');
  const items: Array<Partial<Record<estypes.BulkOperationType, estypes.BulkResponseItem>>> = [];
  let errors = false;
  for (let i = 0; i < lines.length; i++) {
    let meta: Record<string, Record<string, unknown>>;
    try {
      meta = JSON.parse(lines[i]!);
    } catch {
      throw httpError(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected START_OBJECT`);
    }
    const action = Object.keys(meta)[0] as BulkAction | undefined;
    if (!action || !['index', 'create', 'delete', 'update'].includes(action)) {
      throw httpError(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected field [create], [delete], [index] or [update] but found [${action}]`);
    }
    const m = meta[action] ?? {};
    const index = (m._index as string | undefined) ?? defaultIndex;
    if (!index) throw httpError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
    const id = m._id as string | undefined;
    let source: unknown;
    if (action !== 'delete') {
      i++;
      if (i >= lines.length) throw httpError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
      source = JSON.parse(lines[i]!);
    }
    try {
      let item: estypes.BulkResponseItem;
      if (action === 'delete') {
        const r = deleteDoc(store, index, String(id));
        item = { ...r.body, status: r.status };
      } else if (action === 'update') {
        const existing = store.indices.get(index)?.docs.get(String(id));
        if (!existing) throw httpError(404, 'document_missing_exception', `[${id}]: document missing`, { index });
        const merged = { ...existing.source, ...((source as { doc?: object }).doc ?? {}) };
        const r = indexDoc(store, index, id, merged, {});
        item = { ...r.body, status: r.status };
      } else {
        const r = indexDoc(store, index, id, source, {
          opType: action === 'create' ? 'create' : undefined,
          ifSeqNo: m.if_seq_no as number | undefined,
          ifPrimaryTerm: m.if_primary_term as number | undefined,
        });
        item = { ...r.body, status: r.status };
      }
      items.push({ [action]: item });
    } catch (e) {
      if (!(e instanceof ClusterHttpError)) throw e;
      errors = true;
      const { root_cause: _r, ...cause } = e.body.error;
      items.push({ [action]: { _index: index, _id: id ?? null, status: e.status, error: cause } });
    }
  }
  return { took: Math.max(0, Date.now() - started), errors, items };
}

export function requireIndex(store: Store, index: string): void {
  if (!store.indices.has(index)) throw indexNotFound(index);
}
