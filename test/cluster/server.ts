/**
 * The in-repo test cluster: a node:http server speaking the REST subset Vigil uses, posing as
 * Elasticsearch 8/9 or OpenSearch 2/3 faithfully enough for the official clients. Test and benchmark
 * infrastructure only; never shipped in the daemon.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Store } from './store.ts';
import { FLAVOUR_INFO, checkCompatibility, responseHeaders, type Flavour } from './flavours.ts';
import { ClusterHttpError, errorBody, httpError } from './errors.ts';
import { RequestCache } from './request-cache.ts';
import { route } from './routes.ts';

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
  /** Wall clock for date math (`now-1h`); default Date.now. Tests inject a fixed clock. */
  now?: () => number;
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

export interface TestCluster {
  url: string;
  flavour: Flavour;
  store: Store;
  /** Requests received, oldest first (bounded by `maxRecorded`). */
  requests: RecordedRequest[];
  seed(index: string, docs: Array<Record<string, unknown>>, mappings?: Record<string, unknown>): void;
  setFault(fn: ((req: RecordedRequest) => Fault) | undefined): void;
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
  const store = new Store();
  const requests: RecordedRequest[] = [];
  const maxRecorded = opts.maxRecorded ?? 10_000;
  const sockets = new Set<Socket>();
  let fault: ((req: RecordedRequest) => Fault) | undefined;
  const ctx = { store, info, clusterName: opts.clusterName ?? 'vigil-test', now: opts.now ?? Date.now };
  const cache = opts.requestCache ? new RequestCache() : null;

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      if (requests.length > maxRecorded) requests.shift();
      const answer = () => respond(recorded, res);
      if (opts.latencyMs) setTimeout(answer, opts.latencyMs);
      else answer();
    });
  };

  const respond = (r: RecordedRequest, res: http.ServerResponse) => {
    let compat: number | undefined;
    let status: number;
    let body: unknown;
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
        const evaluate = () => route(ctx, { method: r.method, path: r.path, query: r.query, rawBody: r.body });
        ({ status, body } = cache ? cache.answer(r, evaluate) : evaluate());
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
    const text = r.method === 'HEAD' || body === '' ? '' : typeof body === 'string' ? body : JSON.stringify(body, null, r.query.has('pretty') ? 2 : undefined);
    res.writeHead(status, { ...responseHeaders(info, compat), 'content-length': String(Buffer.byteLength(text)), ...extraHeaders });
    res.end(r.method === 'HEAD' ? undefined : text);
  };

  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;

  return {
    url,
    flavour: opts.flavour,
    store,
    requests,
    seed(index, docs, mappings) {
      if (mappings && !store.indices.has(index)) store.createIndex(index, mappings);
      for (const doc of docs) {
        const { _id, ...source } = doc as { _id?: string };
        store.write(index, _id, source);
      }
    },
    setFault(fn) {
      fault = fn;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
