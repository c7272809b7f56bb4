/**
 * `_mget`: several realtime GETs in one request, by `docs` (each naming its index, or the path's) or
 * by `ids` (the path's index). A missing document is `found: false`; a missing index is that item's
 * error (with root_cause, as multi-get failures are rendered), never the request's.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Store } from './store.ts';
import { ClusterHttpError, parsingError, validationError } from './errors.ts';
import { getResult, lookup } from './documents.ts';
import { sourceSpecFromQuery } from './source-filter.ts';
import { refreshPolicy } from './write-options.ts';

interface Wanted {
  index?: string;
  id?: string;
  source?: unknown;
}

export function mget(store: Store, defaultIndex: string | undefined, body: Record<string, unknown>, q: URLSearchParams): estypes.MgetResponse<unknown> {
  for (const k of Object.keys(body)) if (k !== 'docs' && k !== 'ids') throw parsingError(`unknown key [${k}] for a ${Array.isArray(body[k]) ? 'START_ARRAY' : 'START_OBJECT'}, expected [docs] or [ids]`);
  let wanted: Wanted[];
  if (Array.isArray(body.docs)) {
    wanted = body.docs.map((d) => {
      const o = (d ?? {}) as { _index?: string; _id?: unknown; _source?: unknown };
      return { index: o._index ?? defaultIndex, id: o._id === undefined || o._id === null ? undefined : String(o._id), source: o._source };
    });
  } else if (Array.isArray(body.ids)) {
    wanted = body.ids.map((id) => ({ index: defaultIndex, id: String(id) }));
  } else {
    throw validationError('no documents to get');
  }
  const problems: string[] = [];
  if (wanted.length === 0) problems.push('no documents to get');
  wanted.forEach((w, i) => {
    if (!w.index) problems.push(`index is missing for doc ${i}`);
    if (w.id === undefined) problems.push(`id is missing for doc ${i}`);
  });
  if (problems.length > 0) throw validationError(...problems);
  const realtime = q.get('realtime') !== 'false';
  const refresh = refreshPolicy(q.get('refresh')) === 'true';
  const querySource = sourceSpecFromQuery(q);
  return {
    docs: wanted.map((w): estypes.MgetResponseItem<unknown> => {
      try {
        const index = store.readIndex(w.index!);
        if (refresh) store.refresh(index);
        return getResult(index, w.id!, lookup(index, w.id!, realtime), w.source ?? querySource);
      } catch (e) {
        if (!(e instanceof ClusterHttpError)) throw e;
        return { _index: w.index!, _id: w.id!, error: e.body.error };
      }
    }),
  };
}
