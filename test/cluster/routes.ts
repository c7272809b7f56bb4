/**
 * Routing of the REST subset Vigil uses. Each handler returns a status and a JSON body; failures are
 * thrown as ClusterHttpError and rendered by the server.
 */
import type { Store } from './store.ts';
import type { FlavourInfo } from './flavours.ts';
import { rootInfo } from './flavours.ts';
import { ClusterHttpError, httpError } from './errors.ts';
import { count, indicesOptionsFrom, resolveIndices, search } from './search.ts';
import { bulk, deleteDoc, getDoc, indexDoc, requireIndex, writeOptions } from './documents.ts';
import { putScript, templateSearchBody } from './template.ts';

export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  rawBody: string;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

export interface RouteContext {
  store: Store;
  info: FlavourInfo;
  clusterName: string;
  now: () => number;
}

function json(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const v = JSON.parse(raw);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw httpError(400, 'x_content_parse_exception', '[1:1] Unexpected character: request body is not a JSON object');
  }
}

export function route(ctx: RouteContext, req: RouteRequest): RouteResult {
  const started = Date.now();
  const { store } = ctx;
  const segs = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  const m = req.method;
  const [a, b, c] = segs;
  const n = segs.length;

  if (n === 0 && (m === 'GET' || m === 'HEAD')) return { status: 200, body: rootInfo(ctx.info, ctx.clusterName) };
  if (a === '_cluster' && b === 'health' && m === 'GET') {
    return { status: 200, body: { cluster_name: ctx.clusterName, status: 'green', timed_out: false, number_of_nodes: 1, number_of_data_nodes: 1, active_primary_shards: store.indices.size, active_shards: store.indices.size } };
  }
  if (a === '_cat' && b === 'indices' && m === 'GET') {
    const indices = resolveIndices(store, c, indicesOptionsFrom(req.query));
    return { status: 200, body: indices.map((i) => ({ health: 'green', status: 'open', index: i.name, uuid: i.uuid, pri: '1', rep: '0', 'docs.count': String(i.docs.size) })) };
  }
  if (a === '_scripts' && b !== undefined && n === 2) {
    if (m === 'PUT' || m === 'POST') {
      putScript(store, b, json(req.rawBody));
      return { status: 200, body: { acknowledged: true } };
    }
    if (m === 'GET') {
      const s = store.scripts.get(b);
      return s ? { status: 200, body: { _id: b, found: true, script: { lang: s.lang, source: s.source } } } : { status: 404, body: { _id: b, found: false } };
    }
    if (m === 'DELETE') {
      if (!store.scripts.delete(b)) throw httpError(404, 'resource_not_found_exception', `stored script [${b}] does not exist`);
      return { status: 200, body: { acknowledged: true } };
    }
  }

  // `/_search…` on all indices or `/{index}/_search…`.
  const onAll = a?.startsWith('_') ?? false;
  const indexExpr = onAll ? undefined : a;
  const op = onAll ? a : b;
  const rest = onAll ? segs.slice(1) : segs.slice(2);

  if (op === '_search' && rest.length === 0 && (m === 'GET' || m === 'POST')) {
    return { status: 200, body: search(store, indexExpr, json(req.rawBody), req.query, ctx.now(), started) };
  }
  if (op === '_search' && rest[0] === 'template' && rest.length === 1 && (m === 'GET' || m === 'POST')) {
    return { status: 200, body: search(store, indexExpr, templateSearchBody(store, json(req.rawBody)), req.query, ctx.now(), started) };
  }
  if (op === '_count' && rest.length === 0 && (m === 'GET' || m === 'POST')) {
    return { status: 200, body: count(store, indexExpr, json(req.rawBody), req.query, ctx.now()) };
  }
  if (op === '_bulk' && rest.length === 0 && (m === 'POST' || m === 'PUT')) {
    return { status: 200, body: bulk(store, indexExpr, req.rawBody, started) };
  }
  if (op === '_refresh' && (m === 'POST' || m === 'GET')) {
    return { status: 200, body: { _shards: { total: 1, successful: 1, failed: 0 } } };
  }

  if (!onAll && a !== undefined) {
    if (n === 1) {
      if (m === 'PUT') {
        if (store.indices.has(a)) throw httpError(400, 'resource_already_exists_exception', `index [${a}/${store.get(a).uuid}] already exists`, { index: a });
        const body = json(req.rawBody) as { mappings?: { properties?: Record<string, unknown> } };
        store.createIndex(a, body.mappings?.properties);
        return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: a } };
      }
      if (m === 'HEAD') return { status: store.indices.has(a) ? 200 : 404, body: '' };
      if (m === 'DELETE') {
        requireIndex(store, a);
        store.indices.delete(a);
        return { status: 200, body: { acknowledged: true } };
      }
      if (m === 'GET') {
        const data = store.get(a);
        const properties = Object.fromEntries([...data.mappings].map(([f, t]) => [f, { type: t }]));
        return { status: 200, body: { [a]: { aliases: {}, mappings: { properties }, settings: { index: { number_of_shards: '1', uuid: data.uuid } } } } };
      }
    }
    if (b === '_doc' && n === 2 && m === 'POST') return indexDoc(store, a, undefined, json(req.rawBody), writeOptions(req.query));
    if ((b === '_doc' || b === '_create') && n === 3 && c !== undefined) {
      if (m === 'PUT' || m === 'POST') return indexDoc(store, a, c, json(req.rawBody), writeOptions(req.query, b === '_create'));
      if (b === '_doc' && (m === 'GET' || m === 'HEAD')) return getDoc(store, a, c);
      if (b === '_doc' && m === 'DELETE') return deleteDoc(store, a, c);
    }
  }
  // Elasticsearch answers unknown endpoints with a plain string error.
  throw new ClusterHttpError(400, { error: `no handler found for uri [${req.path}] and method [${m}]` as never, status: 400 });
}
