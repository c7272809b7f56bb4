/**
 * Compiles a request definition (schema.ts) once and renders it per run, the same way for the `http`
 * check, the webhook action and e-mail `request` attachments:
 * - `url`, `path` and query values are plain templates; the path is joined to the URL's path and the
 *   query parameters appended;
 * - header values are rendered in `header` mode (a rendered CR/LF is an error, never a header
 *   injection); names stay as written;
 * - `body` is rendered with JSON escaping unless a `content-type` header says it is not JSON, so values
 *   cannot break the document; `json_body_from` sends a value of the view as JSON;
 * - a `content-type` is added when the definition gives none (JSON when the body parses as JSON);
 * - `auth` stays apart in the rendered request (an outbox entry or `--simulate` output shows it
 *   redacted) and becomes the `Authorization` header only when the request is sent.
 */
import { VigilError } from '../errors.ts';
import type { HttpRequest } from '../net/types.ts';
import type { CompiledTemplate, EscapeMode } from '../templates/types.ts';
import type { ConnectionDef, RequestDef, TlsDef } from './schema.ts';

/** What compiling templates needs (the check and action compile environments have it). */
export interface TemplateCompiler {
  /** `field` names where the template sits, relative to the owner of `request` (e.g. `request.url`). */
  template(source: string, mode: EscapeMode, field?: () => string): CompiledTemplate;
}

/** A request as rendered for one run: plain JSON, what goes to the outbox and what `--simulate` shows. */
export interface RenderedRequest {
  method: string;
  /** The full URL; absent only for a webhook whose account gives the URL (then `path` and `query` stay apart). */
  url?: string;
  path?: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  auth?: { type: 'basic'; username: string; password: string };
  tls?: TlsDef;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  /** A proxy URL given inline. */
  proxy?: string;
  /** A stored proxy, by id: resolved to its URL each time the request is sent. */
  proxyId?: string;
}

export interface CompiledRequest {
  /** Throws VigilError INVALID_REQUEST when the URL does not render to an http(s) URL, INVALID_HEADER_VALUE on CR/LF. */
  render(view: object, reportMissing: (paths: string[]) => void): RenderedRequest;
}

/** Joins a base URL, a path and query parameters; throws INVALID_REQUEST unless the result is an http(s) URL. */
export function buildUrl(base: string, path: string | undefined, query: Record<string, string> | undefined): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    u = new URL('invalid:');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new VigilError('INVALID_REQUEST', 'request.url did not render to a valid http(s) URL');
  }
  if (path) u.pathname = `${u.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.append(k, v);
  return u.href;
}

/** Resolves a dotted path (`data.hits.hits`) in the view. */
export function lookupPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * `json_body_from`: a path from the top of the view (`data.hits`); a path that finds nothing there is
 * read under `data` (`hits`), the form an HTTP input's runtime data path takes.
 */
function jsonBodyValue(view: object, path: string): unknown {
  const top = lookupPath(view, path);
  return top !== undefined || path === 'data' || path.startsWith('data.') ? top : lookupPath((view as { data?: unknown }).data, path);
}

const isContentType = (name: string) => name.toLowerCase() === 'content-type';

/** The content type of a body whose sender named none: JSON when it parses as JSON, else UTF-8 text. */
export function contentTypeFor(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

export function compileRequest(def: RequestDef, conn: ConnectionDef, env: TemplateCompiler): CompiledRequest {
  const compile = (source: string, mode: EscapeMode, field: string) => env.template(source, mode, () => `request.${field}`);
  const url = def.url !== undefined ? compile(def.url, 'plain', 'url') : undefined;
  const path = def.path !== undefined ? compile(def.path, 'plain', 'path') : undefined;
  const query = Object.entries(def.query_params ?? {}).map(([k, v]) => [k, compile(v, 'plain', `query_params.${k}`)] as const);
  const headers = Object.entries(def.headers ?? {}).map(([k, v]) => [k, compile(v, 'header', `headers.${k}`)] as const);
  const contentType = Object.entries(def.headers ?? {}).find(([k]) => isContentType(k))?.[1];
  // Signals renders bodies with JSON escaping; a body declared as something else is left unescaped.
  const bodyMode = contentType === undefined || /json/i.test(contentType) ? 'json' : 'plain';
  const body = def.body !== undefined ? compile(def.body, bodyMode, 'body') : undefined;

  return {
    render(view, reportMissing) {
      const missing: string[] = [];
      const run = (t: CompiledTemplate) => {
        const out = t.render(view);
        missing.push(...out.missing);
        return out.text;
      };
      const req: RenderedRequest = { method: def.method, headers: {} };
      for (const [k, t] of headers) req.headers[k] = run(t);
      const q: Record<string, string> = {};
      for (const [k, t] of query) q[k] = run(t);
      const pathText = path ? run(path) : undefined;
      if (url) req.url = buildUrl(run(url), pathText, q);
      else {
        if (pathText) req.path = pathText;
        if (query.length) req.query = q;
      }
      if (def.json_body_from !== undefined) {
        const v = jsonBodyValue(view, def.json_body_from);
        if (v === undefined) missing.push(def.json_body_from);
        req.body = JSON.stringify(v ?? null);
        if (contentType === undefined) req.headers['content-type'] = 'application/json';
      } else if (body) {
        req.body = run(body);
        if (contentType === undefined) req.headers['content-type'] = contentTypeFor(req.body);
      }
      if (def.auth) req.auth = def.auth;
      if (conn.tls) req.tls = conn.tls;
      if (conn.connection_timeout !== undefined) req.connectTimeoutMs = conn.connection_timeout;
      if (conn.read_timeout !== undefined) req.readTimeoutMs = conn.read_timeout;
      if (typeof conn.proxy === 'string') req.proxy = conn.proxy;
      else if (conn.proxy) req.proxyId = conn.proxy.id;
      if (missing.length) reportMissing([...new Set(missing)]);
      return req;
    },
  };
}

/** `Authorization: Basic …` for inline credentials. */
export function basicAuthorization(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/**
 * The request to send for a rendered request that has its URL: inline `auth` becomes the Authorization
 * header, replacing one written in `headers` (as Signals does).
 */
export function toHttpRequest(r: RenderedRequest & { url: string }, signal?: AbortSignal): HttpRequest {
  let headers = r.headers ?? {};
  if (r.auth) {
    headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    headers.authorization = basicAuthorization(r.auth);
  }
  const out: HttpRequest = { method: r.method, url: r.url, headers };
  if (r.body !== undefined) out.body = r.body;
  if (r.tls) out.tls = r.tls;
  if (r.connectTimeoutMs !== undefined) out.connectTimeoutMs = r.connectTimeoutMs;
  if (r.readTimeoutMs !== undefined) out.readTimeoutMs = r.readTimeoutMs;
  if (r.proxy) out.proxy = r.proxy;
  if (r.proxyId) out.proxyId = r.proxyId;
  if (signal) out.signal = signal;
  return out;
}
