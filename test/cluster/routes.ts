/**
 * Routing of the REST subset the test cluster speaks: cluster-level endpoints here, per-index ones in
 * routes-index.ts. Each handler returns a status and a body; failures are thrown as ClusterHttpError
 * and rendered by the server.
 */
import { rootInfo } from './flavours.ts';
import { ClusterHttpError, httpError } from './errors.ts';
import { count, scrollNext, search } from './search.ts';
import { bulk } from './bulk.ts';
import { mget } from './mget.ts';
import { putScript, templateSearchBody } from './template.ts';
import { catIndices, clusterHealth, getMapping, refreshIndices } from './indices.ts';
import { getAliases, updateAliases } from './aliases.ts';
import { deleteTemplate, getTemplates, putTemplate, templateExists } from './template-api.ts';
import { clearScroll, closePitEs, closePitsOs, scrollIds } from './paging-api.ts';
import { indexRoute } from './routes-index.ts';
import { json, searchEnv, type RouteContext, type RouteRequest, type RouteResult } from './route-kit.ts';

export type { RouteContext, RouteRequest, RouteResult } from './route-kit.ts';

const ok = (body: unknown, status = 200): RouteResult => ({ status, body });

export function route(ctx: RouteContext, req: RouteRequest): RouteResult {
  const started = Date.now();
  const { store } = ctx;
  const segs = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  const m = req.method;
  const read = m === 'GET' || m === 'HEAD';
  const write = m === 'PUT' || m === 'POST';
  const [a, b, c] = segs;
  const n = segs.length;
  const q = req.query;
  const es = ctx.info.distribution === 'elasticsearch';

  if (n === 0 && read) return ok(rootInfo(ctx.info, ctx.clusterName));
  if (a === '_cluster' && b === 'health' && m === 'GET') return ok(clusterHealth(store, ctx.clusterName));
  if (a === '_cat' && b === 'indices' && m === 'GET') {
    const r = catIndices(store, c, q);
    return { status: 200, body: r.body, text: !r.json };
  }
  if (a === '_scripts' && b !== undefined && n === 2) {
    if (write) {
      putScript(store, b, json(req.rawBody));
      return ok({ acknowledged: true });
    }
    if (m === 'GET') {
      const s = store.scripts.get(b);
      return s ? ok({ _id: b, found: true, script: { lang: s.lang, source: s.source } }) : ok({ _id: b, found: false }, 404);
    }
    if (m === 'DELETE') {
      if (!store.deleteScript(b)) throw httpError(404, 'resource_not_found_exception', `stored script [${b}] does not exist`);
      return ok({ acknowledged: true });
    }
  }
  if ((a === '_index_template' || a === '_component_template') && n <= 2) {
    const kind = a === '_index_template' ? 'index' : 'component';
    if (write && b) return ok(putTemplate(store, kind, b, json(req.rawBody), q));
    if (m === 'GET') return ok(getTemplates(store, kind, b));
    if (m === 'HEAD' && b) return ok('', templateExists(store, kind, b) ? 200 : 404);
    if (m === 'DELETE' && b) return ok(deleteTemplate(store, kind, b));
  }
  if (a === '_aliases' && n === 1 && m === 'POST') return ok(updateAliases(store, json(req.rawBody)));
  if (a === '_alias' && n <= 2 && read) {
    const r = getAliases(store, undefined, b, q);
    return m === 'HEAD' ? ok('', r.status) : ok(r.body, r.status);
  }
  if (a === '_mapping' && n === 1 && m === 'GET') return ok(getMapping(store, undefined, q));
  if (a === '_search' && b === 'scroll' && n <= 3) {
    if (m === 'DELETE') {
      const r = clearScroll(searchEnv(ctx, started), scrollIds(json(req.rawBody), c));
      return ok(r.body, r.status);
    }
    if (m === 'GET' || m === 'POST') {
      const body = json(req.rawBody);
      const id = c ?? (body.scroll_id as string | undefined) ?? q.get('scroll_id') ?? '';
      return ok(scrollNext(searchEnv(ctx, started), id, (body.scroll as string | undefined) ?? q.get('scroll') ?? undefined));
    }
  }
  if (es && a === '_pit' && n === 1 && m === 'DELETE') {
    const r = closePitEs(searchEnv(ctx, started), json(req.rawBody));
    return ok(r.body, r.status);
  }
  if (!es && a === '_search' && b === 'point_in_time' && m === 'DELETE' && (n === 2 || (n === 3 && c === '_all'))) {
    return ok(closePitsOs(searchEnv(ctx, started), json(req.rawBody), c === '_all'));
  }

  // `/_search…` on all indices or `/{index}/_search…`.
  const onAll = a?.startsWith('_') ?? false;
  const indexExpr = onAll ? undefined : a;
  const op = onAll ? a : b;
  const rest = onAll ? segs.slice(1) : segs.slice(2);
  if (op === '_search' && rest.length === 0 && (m === 'GET' || m === 'POST')) return ok(search(searchEnv(ctx, started), indexExpr, json(req.rawBody), q));
  if (op === '_search' && rest[0] === 'template' && rest.length === 1 && (m === 'GET' || m === 'POST')) {
    return ok(search(searchEnv(ctx, started), indexExpr, templateSearchBody(store, json(req.rawBody)), q));
  }
  if (op === '_count' && rest.length === 0 && (m === 'GET' || m === 'POST')) return ok(count(searchEnv(ctx, started), indexExpr, json(req.rawBody), q));
  if (op === '_bulk' && rest.length === 0 && write) {
    const r = bulk(store, indexExpr, req.rawBody, q, started);
    if (r instanceof Promise) return { status: 200, body: undefined, later: r.then((a) => ({ status: 200, body: a.body, wait: a.wait })) };
    return { status: 200, body: r.body, wait: r.wait };
  }
  if (op === '_mget' && rest.length === 0 && (m === 'GET' || m === 'POST')) return ok(mget(store, indexExpr, json(req.rawBody), q));
  if (op === '_refresh' && rest.length === 0 && (m === 'POST' || m === 'GET')) return ok(refreshIndices(store, indexExpr, q));

  if (!onAll && a !== undefined) {
    const r = indexRoute(ctx, { ...req, segs }, started);
    if (r) return r;
  }
  // Elasticsearch answers unknown endpoints with a plain string error.
  throw new ClusterHttpError(400, { error: `no handler found for uri [${req.path}] and method [${m}]` as never, status: 400 });
}
