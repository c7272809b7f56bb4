/**
 * Routes under `/{index}`: the index itself, its mappings and aliases, its documents (`_doc`,
 * `_create`, `_update`, `_source`), points in time opened on it, and the by-query APIs.
 */
import { json, searchEnv, type RouteContext, type RouteRequest, type RouteResult } from './route-kit.ts';
import { createIndex, deleteIndex, getIndex, getMapping, putMapping } from './indices.ts';
import { deleteAlias, getAliases, putAlias } from './aliases.ts';
import { deleteDoc, getDoc, getSource, indexDoc } from './documents.ts';
import { updateDoc } from './update.ts';
import { openPitEs, openPitOs } from './paging-api.ts';
import { byQuery } from './by-query.ts';
import { indicesOptionsFrom, resolveIndices } from './resolve.ts';
import { renderSettings } from './settings.ts';

/** The answer for `/{index}/…`, or undefined when no route matches. */
export function indexRoute(ctx: RouteContext, req: RouteRequest & { segs: string[] }, started: number): RouteResult | undefined {
  const { store } = ctx;
  const { segs, query: q, rawBody: raw } = req;
  const m = req.method;
  const [index, op, id] = segs as [string, string | undefined, string | undefined];
  const n = segs.length;
  const es = ctx.info.distribution === 'elasticsearch';
  const ok = (body: unknown, status = 200): RouteResult => ({ status, body });

  if (n === 1) {
    if (m === 'PUT') return ok(createIndex(store, index, json(raw)));
    if (m === 'GET') return ok(getIndex(store, index, q));
    if (m === 'HEAD') return ok('', exists(() => resolveIndices(store, index, indicesOptionsFrom(q)).length > 0) ? 200 : 404);
    if (m === 'DELETE') return ok(deleteIndex(store, index, q));
  }
  if (op === '_mapping' && n === 2) {
    if (m === 'GET') return ok(getMapping(store, index, q));
    if (m === 'PUT' || m === 'POST') return ok(putMapping(store, index, json(raw), q));
  }
  if (op === '_settings' && n === 2 && m === 'GET') {
    return ok(Object.fromEntries(resolveIndices(store, index, indicesOptionsFrom(q)).map((i) => [i.name, { settings: renderSettings(i.settings, { name: i.name, uuid: i.uuid, created: i.created, versionCreated: store.versionCreated }) }])));
  }
  if ((op === '_alias' || op === '_aliases') && n <= 3) {
    if ((m === 'PUT' || m === 'POST') && id) return ok(putAlias(store, index, id, json(raw)));
    if (m === 'DELETE' && id) return ok(deleteAlias(store, index, id));
    if (m === 'GET' || m === 'HEAD') {
      const r = getAliases(store, index, id, q);
      return m === 'HEAD' ? ok('', r.status) : ok(r.body, r.status);
    }
  }
  if (op === '_doc' && n === 2 && m === 'POST') return answer(indexDoc(store, index, undefined, raw, q, 'index'));
  if ((op === '_doc' || op === '_create') && n === 3 && id !== undefined) {
    if (m === 'PUT' || m === 'POST') return answer(indexDoc(store, index, id, raw, q, op === '_create' ? 'create' : 'index'));
    if (op === '_doc' && (m === 'GET' || m === 'HEAD')) return answer(getDoc(store, index, id, q));
    if (op === '_doc' && m === 'DELETE') return answer(deleteDoc(store, index, id, q));
  }
  if (op === '_update' && n === 3 && id !== undefined && m === 'POST') return answer(updateDoc(store, index, id, raw, q));
  if (op === '_source' && n === 3 && id !== undefined && (m === 'GET' || m === 'HEAD')) return answer(getSource(store, index, id, q));
  if (es && op === '_pit' && n === 2 && m === 'POST') return ok(openPitEs(searchEnv(ctx, started), index, q));
  if (!es && op === '_search' && segs[2] === 'point_in_time' && n === 3 && m === 'POST') return ok(openPitOs(searchEnv(ctx, started), index, q));
  if ((op === '_delete_by_query' || op === '_update_by_query') && n === 2 && m === 'POST') {
    const r = byQuery(searchEnv(ctx, started), index, json(raw), q, op === '_delete_by_query' ? 'delete' : 'update');
    return ok(r.body, r.status);
  }
  return undefined;
}

function answer(r: { status: number; body: unknown; wait?: Promise<void> }): RouteResult {
  return { status: r.status, body: r.body, wait: r.wait };
}

function exists(test: () => boolean): boolean {
  try {
    return test();
  } catch {
    return false;
  }
}
