/**
 * The in-repo test cluster: a node:http server speaking the REST subset Vigil uses, posing as
 * Elasticsearch 8/9 or OpenSearch 2/3 faithfully enough for the official clients. Test and benchmark
 * infrastructure only; never shipped in the daemon.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../../src/clock.ts';
import { Store } from './store.ts';
import { FLAVOUR_INFO, checkCompatibility, responseHeaders, type Flavour } from './flavours.ts';
import { ClusterHttpError, errorBody, httpError } from './errors.ts';
import { RequestCache } from './request-cache.ts';
import { route, type RouteResult } from './routes.ts';
import { SearchContexts } from './contexts.ts';
import { DirectoryJournal } from './persistence.ts';
import { prettyJson } from './json-pretty.ts';

/** One request as the cluster received it (headers lower-cased, body as text). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A fault replaces the normal answer: a status and body, `'close'` (destroy the socket without an
 * answer, like a crashed node) or `'hang'` (never answer; the socket is destroyed at `close()`).
 * Return undefined to answer normally.
 */
export type Fault = { status: number; body?: unknown; headers?: Record<string, string> } | 'close' | 'hang' | undefined;

export interface TestClusterOptions {
  flavour: Flavour;
  /** Default 0: the OS chooses a free port. */
  port?: number;
  host?: string;
  /** Delay before every answer, to simulate a slower cluster (benchmarks). */
  latencyMs?: number;
  /** Wall clock for date math (`now-1h`); default the clock's. Tests inject a fixed time. */
  now?: () => number;
  /**
   * The clock of periodic refreshes (`index.refresh_interval`, 1 s by default), tombstone and
   * search-context expiry; default the system clock. A FakeClock lets a test decide when writes
   * become searchable.
   */
  clock?: Clock;
  /**
   * Keep the data in this directory (created if missing): acknowledged changes are fsynced before the
   * answer, and a cluster started again on the directory (after close, or a SIGKILL of its process)
   * has them all. Without it, the data lives in memory only.
   */
  dataDir?: string;
  /**
   * The refresh interval of indices that set no `index.refresh_interval`: 1 s by default, as on a real
   * node. Tests that only need writes to become searchable soon may shorten it.
   */
  refreshIntervalMs?: number;
  clusterName?: string;
  /** Require these credentials (Basic or ApiKey); without it, anyone may call. */
  auth?: { username: string; password: string } | { apiKey: string };
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Keep at most this many recorded requests (oldest dropped); default 10 000. */
  maxRecorded?: number;
  /** Answer repeated `size: 0` searches from a request cache (benchmarks; see request-cache.ts). */
  requestCache?: boolean;
}

/**
 * `unavailable`: every API but `GET /` answers 503 cluster_block_exception (a node whose cluster
 * state is not recovered); `read_only`: every document write answers 429 cluster_block_exception
 * (the flood-stage disk watermark's read-only-allow-delete block).
 */
export type ClusterBlock = 'unavailable' | 'read_only' | undefined;

export interface TestCluster {
  url: string;
  port: number;
  flavour: Flavour;
  store: Store;
  /** Requests received, oldest first (bounded by `maxRecorded`). */
  requests: RecordedRequest[];
  /** Creates the index (with these `properties`) if needed, indexes the documents and refreshes, so searches see them at once. */
  seed(index: string, docs: Array<Record<string, unknown>>, properties?: Record<string, unknown>): void;
  /** Makes every index's writes searchable now, as `POST /_refresh` does. */
  refresh(): void;
  setFault(fn: ((req: RecordedRequest) => Fault) | undefined): void;
  setBlock(block: ClusterBlock): void;
  /** Stops listening and drops every connection, keeping the data: clients see a node that went away. */
  stop(): Promise<void>;
  /** Listens again on the same port after `stop()`. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function authorised(header: string | undefined, auth: TestClusterOptions['auth']): boolean {
  if (!auth) return true;
  if (!header) return false;
  const expected = 'apiKey' in auth ? `ApiKey ${auth.apiKey}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startTestCluster(opts: TestClusterOptions): Promise<TestCluster> {
  const info = FLAVOUR_INFO[opts.flavour];
  if (!info) throw new Error(`unknown flavour ${String(opts.flavour)}`);
  const clock = opts.clock ?? systemClock;
  const store = new Store({ distribution: info.distribution, clock, versionCreated: info.indexVersion, refreshIntervalMs: opts.refreshIntervalMs });
  const journal = opts.dataDir ? DirectoryJournal.open(opts.dataDir, store) : undefined;
  const requests: RecordedRequest[] = [];
  const maxRecorded = opts.maxRecorded ?? 10_000;
  const sockets = new Set<Socket>();
  let fault: ((req: RecordedRequest) => Fault) | undefined;
  let block: ClusterBlock;
  const now = opts.now ?? (() => clock.now());
  const ctx = { store, info, clusterName: opts.clusterName ?? 'vigil-test', now, contexts: new SearchContexts(clock) };
  const cache = opts.requestCache ? new RequestCache<RouteResult>() : null;
  // A refresh changes what searches find without any request arriving.
  if (cache) store.onRefresh(() => cache.clear());

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      if (requests.length > maxRecorded) requests.shift();
      const answer = () => void respond(recorded, res);
      if (opts.latencyMs) setTimeout(answer, opts.latencyMs);
      else answer();
    });
  };

  const respond = async (r: RecordedRequest, res: http.ServerResponse) => {
    let compat: number | undefined;
    let status: number;
    let body: unknown;
    let text = false;
    let extraHeaders: Record<string, string> = {};
    try {
      compat = checkCompatibility(info, r.headers, r.body.length > 0);
      const f = fault?.(r);
      if (f === 'close') {
        res.socket?.destroy();
        return;
      }
      if (f === 'hang') return;
      if (f) {
        ({ status, body } = f);
        extraHeaders = f.headers ?? {};
      } else if (!authorised(r.headers.authorization, opts.auth)) {
        throw httpError(401, 'security_exception', `missing authentication credentials for REST request [${r.path}]`, { header: { 'WWW-Authenticate': 'Basic realm="security" charset="UTF-8"' } });
      } else {
        // The media type is checked once the caller is authenticated, as on a real node.
        checkContentType(r);
        if (block === 'unavailable' && !(r.path === '/' && (r.method === 'GET' || r.method === 'HEAD'))) {
          throw httpError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];');
        }
        const evaluate = (): RouteResult => {
          try {
            return route(ctx, { method: r.method, path: r.path, query: r.query, rawBody: r.body });
          } finally {
            // Whatever the request changed (even on the way to an error) is durable before it is answered.
            journal?.sync();
          }
        };
        let result = cache ? cache.answer(r, evaluate) : evaluate();
        if (result.later) {
          try {
            result = await result.later;
          } finally {
            journal?.sync();
          }
        }
        ({ status, body } = result);
        text = result.text === true;
        if (result.wait) await result.wait;
      }
    } catch (e) {
      if (e instanceof ClusterHttpError) {
        status = e.status;
        body = e.body;
      } else {
        status = 500;
        body = errorBody(500, { type: 'exception', reason: e instanceof Error ? e.message : String(e) });
      }
    }
    if (res.destroyed) return;
    const payload = r.method === 'HEAD' || body === '' ? '' : typeof body === 'string' ? body : r.query.has('pretty') ? prettyJson(body) : JSON.stringify(body);
    const headers = { ...responseHeaders(info, compat), ...(text ? { 'content-type': 'text/plain; charset=UTF-8' } : {}) };
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(payload)), ...extraHeaders });
    res.end(r.method === 'HEAD' ? undefined : payload);
  };

  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = opts.host ?? '127.0.0.1';
  let listening = false;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const stop = () => {
    if (!listening) return Promise.resolve();
    listening = false;
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    await listen(opts.port ?? 0);
  } catch (e) {
    journal?.close();
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;

  return {
    url,
    port,
    flavour: opts.flavour,
    store,
    requests,
    seed(index, docs, properties) {
      if (properties && !store.indices.has(index)) store.createIndex(index, { mappings: { properties } });
      for (const doc of docs) {
        const { _id, ...source } = doc as { _id?: string };
        store.write(index, _id, source);
      }
      store.refresh(store.get(index));
      journal?.sync();
    },
    refresh() {
      for (const i of store.indices.values()) store.refresh(i);
    },
    setFault(fn) {
      fault = fn;
    },
    setBlock(b) {
      block = b;
      store.readOnly = b === 'read_only';
    },
    stop,
    start: () => (listening ? Promise.resolve() : listen(port)),
    async close() {
      await stop();
      store.close();
      journal?.close();
    },
  };
}

/**
 * A request body must come with a media type the node reads: JSON or NDJSON, plain or as
 * Elasticsearch's versioned vendor types (`curl -d` sends form encoding, which is refused with 406).
 */
function checkContentType(r: RecordedRequest): void {
  if (r.body.length === 0) return;
  const type = r.headers['content-type'];
  if (type === undefined) throw new ClusterHttpError(406, { error: 'Content-Type header is missing' as never, status: 406 });
  if (!/^application\/(json|x-ndjson|vnd\.elasticsearch\+(json|x-ndjson))\s*(;|$)/i.test(type)) {
    throw new ClusterHttpError(406, { error: `Content-Type header [${type}] is not supported` as never, status: 406 });
  }
}
