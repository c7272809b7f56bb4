/**
 * `_delete_by_query` and `_update_by_query` (without a script: each match is indexed again, picking
 * up new mappings). Both read the refreshed view, as the real scroll-and-bulk does, then write each
 * match only if it has not changed since (compare-and-set on its `_seq_no`): a document changed or
 * deleted in between is a version conflict, which aborts the request (409) unless `conflicts=proceed`.
 */
import type { estypes } from '@elastic/elasticsearch';
import { ClusterHttpError, httpError, parsingError } from './errors.ts';
import { compileQuery } from './query.ts';
import { indicesOptionsFrom, resolveIndices } from './resolve.ts';
import type { SearchEnv } from './search.ts';
import { applyRefresh } from './write-options.ts';
import type { IndexData } from './store.ts';

type Json = Record<string, unknown>;

export function byQuery(env: SearchEnv, expr: string, body: Json, q: URLSearchParams, kind: 'delete' | 'update'): { status: number; body: estypes.DeleteByQueryResponse & { updated?: number } } {
  for (const k of Object.keys(body)) if (!['query', 'max_docs', 'conflicts', 'slice'].includes(k)) {
    if (k === 'script') throw httpError(400, 'illegal_argument_exception', 'the test cluster does not run update scripts');
    throw parsingError(`[${kind === 'delete' ? 'delete_by_query' : 'update_by_query'}] unknown field [${k}]`);
  }
  const conflicts = q.get('conflicts') ?? (body.conflicts as string | undefined) ?? 'abort';
  if (conflicts !== 'abort' && conflicts !== 'proceed') throw httpError(400, 'illegal_argument_exception', `conflicts may only be "proceed" or "abort" but was [${conflicts}]`);
  const maxDocs = Number(q.get('max_docs') ?? body.max_docs ?? Infinity);
  const indices = resolveIndices(env.store, expr, indicesOptionsFrom(q));
  const matcher = compileQuery(body.query, env.now);
  const matches: Array<{ index: IndexData; id: string; seqNo: number; primaryTerm: number }> = [];
  for (const index of indices) for (const d of index.searchable.values()) if (matches.length < maxDocs && matcher(index, d.id, d.source)) matches.push({ index, id: d.id, seqNo: d.seqNo, primaryTerm: d.primaryTerm });
  let done = 0;
  let conflictsSeen = 0;
  const failures: estypes.BulkIndexByScrollFailure[] = [];
  const written = new Set<IndexData>();
  for (const m of matches) {
    try {
      const cas = { ifSeqNo: m.seqNo, ifPrimaryTerm: m.primaryTerm };
      if (kind === 'delete') env.store.delete(m.index.name, m.id, cas);
      else {
        const current = m.index.docs.get(m.id);
        env.store.write(m.index.name, m.id, current?.source ?? {}, cas);
      }
      written.add(m.index);
      done++;
    } catch (e) {
      if (!(e instanceof ClusterHttpError) || e.status !== 409) throw e;
      conflictsSeen++;
      if (conflicts === 'abort') {
        const { root_cause: _r, ...cause } = e.body.error;
        failures.push({ index: m.index.name, id: m.id, cause, status: 409 } as estypes.BulkIndexByScrollFailure);
        break;
      }
    }
  }
  if (q.get('refresh') === 'true' || q.get('refresh') === '') applyRefresh(env.store, written, 'true');
  const response = {
    took: Math.max(0, Date.now() - env.started),
    timed_out: false,
    total: matches.length,
    ...(kind === 'delete' ? { deleted: done } : { updated: done, deleted: 0 }),
    batches: matches.length === 0 ? 0 : Math.ceil(matches.length / 1000),
    version_conflicts: conflictsSeen,
    noops: 0,
    retries: { bulk: 0, search: 0 },
    throttled_millis: 0,
    requests_per_second: -1,
    throttled_until_millis: 0,
    failures,
  };
  return { status: failures.length > 0 ? 409 : 200, body: response };
}
