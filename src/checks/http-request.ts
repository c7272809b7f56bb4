import { z } from 'zod';
import type { CompileEnv } from './types.ts';
import type { HttpRequest } from '../net/types.ts';
import { parseDuration } from '../schedule/duration.ts';

/**
 * The HTTP request shape shared by the `http` check, webhook actions and `request` attachments:
 * `{method, url, path, query_params, body | json_body_from, headers, auth}` plus `tls`,
 * `connection_timeout`, `read_timeout`, `proxy` beside it.
 */
export const httpRequestSchema = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']).default('GET'),
    url: z.string().min(1),
    path: z.string().optional(),
    query_params: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    json_body_from: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    auth: z
      .object({ type: z.literal('basic'), username: z.string(), password: z.string() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.body !== undefined && r.json_body_from !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['json_body_from'], message: 'use either body or json_body_from, not both' });
    }
  });

/**
 * `tls.trusted_certs`: PEM certificates, as one string or (as Signals also takes them) an array of them;
 * joined into one PEM bundle.
 */
export const trustedCerts = z.union([z.string(), z.array(z.string()).min(1)]).transform((v) => (Array.isArray(v) ? v.join('\n') : v));

export const tlsSchema = z
  .object({
    trusted_certs: trustedCerts.optional(),
    verify_hostnames: z.boolean().optional(),
    trust_all: z.boolean().optional(),
    client_auth: z
      .object({ certs: z.string(), private_key: z.string(), private_key_password: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict();

const duration = z.union([z.number().int().positive(), z.string()]).optional();

/**
 * Signals' `proxy` on an HTTP input or action: an `http://`/`https://` URL, or `default` or `none`, which
 * both mean a direct connection (Vigil has no global proxy setting). Anything else is what Signals reads
 * as the id of a proxy stored through its REST API; Vigil has no such registry, so it is refused here
 * rather than failing when the request is made.
 */
export const proxySetting = z.string().transform((value, ctx): string | undefined => {
  const v = value.trim();
  if (v === '' || /^(default|none)$/i.test(v)) return undefined;
  if (/^https?:\/\//i.test(v)) {
    try {
      new URL(v);
      return v;
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a valid proxy URL: ${JSON.stringify(value)}` });
      return z.NEVER;
    }
  }
  ctx.addIssue({
    code: 'custom',
    message: `proxy ${JSON.stringify(value)} is neither an http(s) URL nor 'default' or 'none'; stored proxies (referenced by id) are not supported`,
  });
  return z.NEVER;
});

/** The connection options that sit beside `request`. */
export const httpOptionsShape = {
  tls: tlsSchema.optional(),
  connection_timeout: duration,
  read_timeout: duration,
  proxy: proxySetting.optional(),
};

export type HttpRequestDef = z.infer<typeof httpRequestSchema>;
export interface HttpOptionsDef {
  tls?: z.infer<typeof tlsSchema> | undefined;
  connection_timeout?: number | string | undefined;
  read_timeout?: number | string | undefined;
  proxy?: string | undefined;
}

/** Seconds as numbers (Signals), or duration strings. */
function toMs(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v * 1000 : parseDuration(v);
}

function getPath(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Compiles the request's templates once; `render` builds the concrete request for a run. */
export function compileHttpRequest(req: HttpRequestDef, opts: HttpOptionsDef, env: CompileEnv) {
  const url = env.template(req.url, 'plain');
  const path = req.path !== undefined ? env.template(req.path, 'plain') : undefined;
  const body = req.body !== undefined ? env.template(req.body, 'plain') : undefined;
  const headers = Object.entries(req.headers ?? {}).map(([k, v]) => [k, env.template(v, 'header')] as const);
  const query = Object.entries(req.query_params ?? {}).map(([k, v]) => [k, env.template(v, 'plain')] as const);
  const connectTimeoutMs = toMs(opts.connection_timeout);
  const readTimeoutMs = toMs(opts.read_timeout);

  return {
    render(view: Record<string, unknown>, reportMissing: (p: string[]) => void): HttpRequest {
      const r = (t: { render(v: object): { text: string; missing: string[] } }) => {
        const out = t.render(view);
        if (out.missing.length) reportMissing(out.missing);
        return out.text;
      };
      const u = new URL(r(url));
      if (path) {
        const p = r(path);
        u.pathname = (u.pathname.replace(/\/$/, '') + '/' + p.replace(/^\//, '')).replace(/\/{2,}/g, '/');
      }
      for (const [k, t] of query) u.searchParams.set(k, r(t));
      const h: Record<string, string> = {};
      for (const [k, t] of headers) h[k] = r(t);
      if (req.auth) {
        h['authorization'] = 'Basic ' + Buffer.from(`${req.auth.username}:${req.auth.password}`).toString('base64');
      }
      let b: string | undefined;
      if (body) b = r(body);
      else if (req.json_body_from !== undefined) {
        b = JSON.stringify(getPath(view['data'], req.json_body_from.replace(/^data\./, '')) ?? null);
        if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
      }
      const out: HttpRequest = { method: req.method, url: u.toString(), headers: h };
      if (b !== undefined) out.body = b;
      if (opts.tls) out.tls = opts.tls;
      if (connectTimeoutMs !== undefined) out.connectTimeoutMs = connectTimeoutMs;
      if (readTimeoutMs !== undefined) out.readTimeoutMs = readTimeoutMs;
      if (opts.proxy) out.proxy = opts.proxy;
      return out;
    },
  };
}
