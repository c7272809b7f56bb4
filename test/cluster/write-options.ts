/**
 * The parameters of a document write, from a query string or a `_bulk` metadata line, validated as
 * the real request classes validate them (an invalid combination fails the whole request with
 * action_request_validation_exception), and the `refresh` policy applied once the writes are done.
 */
import type { IndexData, Store, WriteOptions } from './store.ts';
import { illegalArgument, validationError } from './errors.ts';

export type RefreshPolicy = 'false' | 'true' | 'wait_for';

export function refreshPolicy(value: string | null | undefined | boolean): RefreshPolicy {
  if (value === null || value === undefined || value === false || value === 'false') return 'false';
  if (value === '' || value === true || value === 'true') return 'true';
  if (value === 'wait_for') return 'wait_for';
  throw illegalArgument(`Unknown value for refresh: [${String(value)}].`);
}

function num(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw illegalArgument(`Failed to parse int parameter [${name}] with value [${String(v)}]`);
  return n;
}

/**
 * Write options from parameters (`op_type`, `if_seq_no`, `if_primary_term`, `version`, `version_type`);
 * `kind` is what the request is (index/create/delete), for the checks that depend on it.
 */
export function writeOptions(get: (name: string) => unknown, kind: 'index' | 'create' | 'delete'): WriteOptions {
  const rawOpType = get('op_type');
  if (rawOpType !== undefined && rawOpType !== null && rawOpType !== 'index' && rawOpType !== 'create') {
    throw illegalArgument(`opType must be 'create' or 'index', found: [${String(rawOpType)}]`);
  }
  const opType = kind === 'create' || rawOpType === 'create' ? 'create' : kind === 'delete' ? undefined : 'index';
  const ifSeqNo = num(get('if_seq_no'), 'if_seq_no');
  const ifPrimaryTerm = num(get('if_primary_term'), 'if_primary_term');
  const version = num(get('version'), 'version');
  const rawType = get('version_type');
  const versionType = rawType === undefined || rawType === null ? 'internal' : String(rawType);
  if (!['internal', 'external', 'external_gte', 'force'].includes(versionType)) throw illegalArgument(`No version type match [${versionType}]`);
  const problems: string[] = [];
  if (opType === 'create' && (ifSeqNo !== undefined || ifPrimaryTerm !== undefined)) problems.push('create operations do not support compare and set. use index instead');
  if (opType === 'create' && versionType !== 'internal') problems.push('create operations only support internal versioning. use index instead');
  if (versionType === 'internal' && version !== undefined) problems.push('internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead');
  if (versionType !== 'internal' && version === undefined) problems.push(`illegal version value [-3] for version type [${versionType.toUpperCase()}]`);
  if (versionType !== 'internal' && ifSeqNo !== undefined) problems.push('compare and write operations can not use versioning');
  if (ifSeqNo !== undefined && ifSeqNo < 0) problems.push(`sequence numbers must be non negative. got [${ifSeqNo}].`);
  if (ifSeqNo !== undefined && ifPrimaryTerm === undefined) problems.push('ifSeqNo is set, but primary term is [0]');
  if (ifPrimaryTerm !== undefined && ifSeqNo === undefined) problems.push('ifPrimaryTerm is set, but seqNo is [-2]');
  if (versionType === 'force') problems.push('version type [force] may no longer be used');
  if (problems.length > 0) throw validationError(...problems);
  return { opType, ifSeqNo, ifPrimaryTerm, version, versionType: versionType as WriteOptions['versionType'] };
}

/**
 * Applies a refresh policy to the indices a request wrote: `true` refreshes them now (and the answer
 * says `forced_refresh`), `wait_for` answers once a refresh has made the writes visible.
 */
export function applyRefresh(store: Store, written: Iterable<IndexData>, policy: RefreshPolicy): { forced: boolean; wait?: Promise<void> } {
  const indices = new Set(written);
  if (policy === 'true') {
    for (const i of indices) store.refresh(i);
    return { forced: indices.size > 0 };
  }
  if (policy === 'wait_for' && indices.size > 0) return { forced: false, wait: Promise.all([...indices].map((i) => store.refresher.waitFor(i))).then(() => undefined) };
  return { forced: false };
}
