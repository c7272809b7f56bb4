/**
 * The update API (`POST /{index}/_update/{id}` and `_bulk` update items): a partial `doc` merged into
 * the current source as the real node merges it (objects recursively, everything else replaced),
 * `doc_as_upsert` and `upsert` for a missing document, `detect_noop` (a change that changes nothing is
 * `noop` and takes no `_seq_no`), compare-and-set against the current document, and `_source` in the
 * answer's `get`. Update scripts are not run: the test cluster has no Painless.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Store } from './store.ts';
import { documentMissing, httpError, parsingError, validationError, versionConflict } from './errors.ts';
import { filterSource } from './source-filter.ts';
import { parseDocument, withForcedRefresh, writeResponse, type DocAnswer } from './documents.ts';
import { applyRefresh, refreshPolicy } from './write-options.ts';
import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;

const UPDATE_KEYS = new Set(['doc', 'upsert', 'doc_as_upsert', 'detect_noop', '_source', 'script', 'scripted_upsert']);

export interface UpdateOptions {
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  retryOnConflict?: number;
  /** The `_source` query parameter, when the answer should carry the new source in `get`. */
  sourceParam?: unknown;
}

export interface UpdateOutcome {
  status: number;
  body: estypes.UpdateResponse<unknown>;
  /** The index written, when something was written (a noop writes nothing). */
  written?: import('./store.ts').IndexData;
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** XContentHelper.update: objects merge key by key, any other value replaces. */
function merge(into: Json, from: Json): Json {
  const out: Json = { ...into };
  for (const [k, v] of Object.entries(from)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Json, v) : v;
  return out;
}

/** Checks an update body and its options before anything is read, as UpdateRequest.validate does. */
export function validateUpdate(body: unknown, opts: UpdateOptions): Json {
  if (!isPlainObject(body)) throw parsingError('[UpdateRequest] failed to parse object');
  for (const k of Object.keys(body)) if (!UPDATE_KEYS.has(k)) throw httpError(400, 'x_content_parse_exception', `[1:2] [UpdateRequest] unknown field [${k}]`);
  const problems: string[] = [];
  if (body.doc === undefined && body.script === undefined) problems.push('script or doc is missing');
  if (body.doc !== undefined && body.script !== undefined) problems.push("can't provide both script and doc");
  if (body.doc_as_upsert === true && body.upsert !== undefined) problems.push("can't provide both upsert request and doc_as_upsert");
  if (opts.ifSeqNo !== undefined && (body.upsert !== undefined || body.doc_as_upsert === true)) problems.push('upsert requests don\'t support `if_seq_no` and `if_primary_term`');
  if (opts.ifSeqNo !== undefined && (opts.retryOnConflict ?? 0) > 0) problems.push('compare and write operations can not be retried');
  if (opts.ifSeqNo !== undefined && opts.ifPrimaryTerm === undefined) problems.push('ifSeqNo is set, but primary term is [0]');
  if (opts.ifPrimaryTerm !== undefined && opts.ifSeqNo === undefined) problems.push('ifPrimaryTerm is set, but seqNo is [-2]');
  if (problems.length > 0) throw validationError(...problems);
  if (body.script !== undefined) throw httpError(400, 'illegal_argument_exception', 'the test cluster does not run update scripts; send a partial [doc] instead');
  if (!isPlainObject(body.doc)) throw parsingError('[UpdateRequest] failed to parse field [doc]');
  if (body.upsert !== undefined && !isPlainObject(body.upsert)) throw parsingError('[UpdateRequest] failed to parse field [upsert]');
  return body;
}

export function update(store: Store, target: string, id: string, body: Json, opts: UpdateOptions): UpdateOutcome {
  const index = store.writeIndex(target, true);
  const current = index.docs.get(id);
  const sourceSpec = body._source ?? opts.sourceParam;
  const withGet = (r: estypes.UpdateResponse<unknown>, source: Json, seqNo: number, primaryTerm: number): estypes.UpdateResponse<unknown> => {
    const filtered = sourceSpec === undefined || sourceSpec === false || sourceSpec === 'false' ? undefined : filterSource(source, sourceSpec === 'true' ? true : sourceSpec);
    return filtered === undefined ? r : { ...r, get: { _seq_no: seqNo, _primary_term: primaryTerm, found: true, _source: filtered } };
  };
  if (!current) {
    const upsert = body.doc_as_upsert === true ? (body.doc as Json) : (body.upsert as Json | undefined);
    if (!upsert) throw documentMissing(index, id);
    const { doc } = store.write(index.name, id, upsert, { opType: 'create' });
    return { status: 201, written: index, body: withGet(writeResponse(index, id, { ...doc, result: 'created' }, false), doc.source, doc.seqNo, doc.primaryTerm) };
  }
  if (opts.ifSeqNo !== undefined && (current.seqNo !== opts.ifSeqNo || current.primaryTerm !== opts.ifPrimaryTerm)) {
    throw versionConflict(index, id, `required seqNo [${opts.ifSeqNo}], primary term [${opts.ifPrimaryTerm}]. current document has seqNo [${current.seqNo}] and primary term [${current.primaryTerm}]`);
  }
  const merged = merge(current.source, body.doc as Json);
  if (body.detect_noop !== false && isDeepStrictEqual(merged, current.source)) {
    const noop: estypes.UpdateResponse<unknown> = {
      _index: index.name, _id: id, _version: current.version, result: 'noop', _shards: { total: 0, successful: 0, failed: 0 }, _seq_no: current.seqNo, _primary_term: current.primaryTerm,
    };
    return { status: 200, body: withGet(noop, current.source, current.seqNo, current.primaryTerm) };
  }
  const { doc } = store.write(index.name, id, merged, { ifSeqNo: current.seqNo, ifPrimaryTerm: current.primaryTerm });
  return { status: 200, written: index, body: withGet(writeResponse(index, id, { ...doc, result: 'updated' }, false), doc.source, doc.seqNo, doc.primaryTerm) };
}

/** `POST /{index}/_update/{id}`. */
export function updateDoc(store: Store, target: string, id: string, raw: string, q: URLSearchParams): DocAnswer<estypes.UpdateResponse<unknown>> {
  const num = (k: string) => (q.get(k) === null ? undefined : Number(q.get(k)));
  const opts: UpdateOptions = { ifSeqNo: num('if_seq_no'), ifPrimaryTerm: num('if_primary_term'), retryOnConflict: num('retry_on_conflict'), sourceParam: q.get('_source') ?? undefined };
  const policy = refreshPolicy(q.get('refresh'));
  const body = validateUpdate(parseDocument(raw, store.mappingOptions.distribution), opts);
  const outcome = update(store, target, id, body, opts);
  const { forced, wait } = applyRefresh(store, outcome.written ? [outcome.written] : [], policy);
  return { status: outcome.status, body: forced ? withForcedRefresh(outcome.body) : outcome.body, wait };
}
