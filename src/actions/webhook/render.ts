/**
 * Compiles a webhook action. The rendered request is what will be sent, minus the account's secret
 * headers and credentials (joined at delivery) and minus the Idempotency-Key (the delivery's key).
 */
import type { CompiledAction, RenderInfo, TemplateView } from '../types.ts';
import type { CompileEnv } from '../../checks/types.ts';
import type { CompiledTemplate } from '../../templates/types.ts';
import type { HttpRequest } from '../../net/types.ts';
import { VigilError } from '../../errors.ts';
import { redactUrl } from '../shared/redact.ts';
import { lookupPath } from '../shared/json-template.ts';
import type { WebhookParams } from './schema.ts';

export interface WebhookRequest {
  method: string;
  /** Full URL when the watch gives one; otherwise the account URL is joined with `path` and `query` at delivery. */
  url?: string;
  path?: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  /** Signals' inline basic auth, as written in the watch (an account's `auth` is preferred). */
  auth?: { type: 'basic'; username: string; password: string };
  tls?: HttpRequest['tls'];
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  proxy?: string;
}

/** Joins a base URL, a path and query parameters. */
export function buildUrl(base: string, path: string | undefined, query: Record<string, string> | undefined): string {
  const u = new URL(base);
  if (path) u.pathname = `${u.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.append(k, v);
  return u.href;
}

export function compileWebhook(p: WebhookParams, env: CompileEnv): CompiledAction {
  const r = p.request;
  const plain = (s: string) => env.template(s, 'plain');
  const url = r.url !== undefined ? plain(r.url) : undefined;
  const path = r.path !== undefined ? plain(r.path) : undefined;
  const query = Object.entries(r.query_params ?? {}).map(([k, v]) => [k, plain(v)] as const);
  const headers = Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), env.template(v, 'header')] as const);
  const contentType = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  // Signals renders bodies with JSON escaping; a body declared as something else is left unescaped.
  const bodyMode = contentType === undefined || /json/i.test(contentType) ? 'json' : 'plain';
  const body: CompiledTemplate | undefined = r.body !== undefined ? env.template(r.body, bodyMode) : undefined;

  return {
    render(view: TemplateView, info: RenderInfo) {
      const missing: string[] = [];
      const run = (t: CompiledTemplate) => {
        const out = t.render(view);
        missing.push(...out.missing);
        return out.text;
      };
      const req: WebhookRequest = { method: r.method, headers: {} };
      for (const [k, t] of headers) req.headers[k] = run(t);
      const q: Record<string, string> = {};
      for (const [k, t] of query) q[k] = run(t);
      const pathText = path ? run(path) : undefined;
      if (url) {
        try {
          req.url = buildUrl(run(url), pathText, q);
        } catch {
          throw new VigilError('INVALID_REQUEST', 'webhook request.url did not render to a valid http(s) URL');
        }
      } else {
        if (pathText) req.path = pathText;
        if (query.length) req.query = q;
      }
      if (r.json_body_from !== undefined) {
        const v = lookupPath(view, r.json_body_from);
        if (v === undefined) missing.push(r.json_body_from);
        req.body = JSON.stringify(v ?? null);
        req.headers['content-type'] ??= 'application/json';
      } else if (body) {
        req.body = run(body);
        if (req.headers['content-type'] === undefined) {
          req.headers['content-type'] = isJson(req.body) ? 'application/json' : 'text/plain; charset=utf-8';
        }
      }
      if (r.auth) req.auth = r.auth;
      if (p.tls) req.tls = p.tls;
      if (p.connection_timeout !== undefined) req.connectTimeoutMs = p.connection_timeout;
      if (p.read_timeout !== undefined) req.readTimeoutMs = p.read_timeout;
      if (p.proxy) req.proxy = p.proxy;
      if (missing.length) info.reportMissing([...new Set(missing)]);
      const origin = req.url ? new URL(req.url).origin : undefined;
      return {
        kind: 'fire',
        request: req,
        summary: `webhook ${req.method} ${req.url ? redactUrl(req.url) : `(account url)${req.path ? ' +path' : ''}`}`,
        destination: origin ? `webhook:${origin}` : 'webhook',
      };
    },
  };
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
