/**
 * The HTTP request a watch describes, defined once for the `http` check, the webhook action and e-mail
 * `request` attachments (Signals' shape): `request: {method, url, path, query_params, body |
 * json_body_from, headers, auth}`, and beside `request` the connection options `tls`,
 * `connection_timeout`, `read_timeout` and `proxy`. The three differ only in the default method and in
 * whether `url` may be left to an account (webhooks); validation and its messages are the same.
 */
import { z } from 'zod';
import { parseDuration } from '../schedule/duration.ts';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

/** RFC 7230 token: a header name that cannot smuggle a separator. */
export const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'invalid header name');

/** Signals' inline basic authentication (the credentials sit in the watch file, as in Signals). */
export const basicAuth = z.strictObject({ type: z.literal('basic'), username: z.string(), password: z.string() });

/** The fields every request has; `url` and `method` are added per use. url, path, query values, headers and body are templates. */
const requestFields = {
  /** Appended to the URL's path. */
  path: z.string().optional(),
  query_params: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  /** A dotted path in the view (e.g. `data.hits`) whose value is sent as the JSON body. */
  json_body_from: z.string().optional(),
  headers: z.record(headerName, z.string()).optional(),
  auth: basicAuth.optional(),
};

function bodyRules(r: { body?: string | undefined; json_body_from?: string | undefined }, ctx: z.RefinementCtx): void {
  if (r.body !== undefined && r.json_body_from !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['json_body_from'], message: 'use either body or json_body_from, not both' });
  }
}

/** The request of an `http` check or a `request` attachment: a URL of its own, GET unless told. */
export const requestSchema = z
  .strictObject({ method: z.enum(METHODS).default('GET'), url: z.string().min(1), ...requestFields })
  .superRefine(bodyRules);

/** A webhook's request: POST unless told, and `url` may be left to the webhook account. */
export const accountRequestSchema = z
  .strictObject({ method: z.enum(METHODS).default('POST'), url: z.string().min(1).optional(), ...requestFields })
  .superRefine(bodyRules);

/** Either request, after parsing. */
export type RequestDef = z.output<typeof requestSchema> | z.output<typeof accountRequestSchema>;

/**
 * `tls.trusted_certs`: PEM certificates, as one string or (as Signals also takes them) an array of them;
 * joined into one PEM bundle.
 */
export const trustedCerts = z.union([z.string(), z.array(z.string()).min(1)]).transform((v) => (Array.isArray(v) ? v.join('\n') : v));

export const tlsSchema = z.strictObject({
  trusted_certs: trustedCerts.optional(),
  verify_hostnames: z.boolean().optional(),
  trust_all: z.boolean().optional(),
  /** A client certificate for servers that ask for one (PEM), as in Signals' `tls.client_auth`. */
  client_auth: z.strictObject({ certs: z.string(), private_key: z.string(), private_key_password: z.string().optional() }).optional(),
});

export type TlsDef = z.output<typeof tlsSchema>;

/** Signals gives timeouts in seconds; Vigil also takes durations (`10s`, `250ms`). Parsed to milliseconds. */
export const timeoutSchema = z.union([z.number().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return Math.round(v * 1000);
  try {
    const ms = parseDuration(v);
    if (ms > 0) return ms;
    ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
  return z.NEVER;
});

/**
 * Signals' `proxy`: an `http://`/`https://` URL, or `default` or `none`, which both mean a direct
 * connection (Vigil has no global proxy setting). Anything else is what Signals reads as the id of a
 * proxy stored through its REST API; Vigil has no such registry, so it is refused here rather than
 * failing when the request is made.
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

/** The connection options that sit beside `request` (spread into the check, action or attachment object). */
export const connectionShape = {
  tls: tlsSchema.optional(),
  connection_timeout: timeoutSchema.optional(),
  read_timeout: timeoutSchema.optional(),
  proxy: proxySetting.optional(),
};

/** The connection options after parsing: timeouts in milliseconds, proxy `undefined` for a direct connection. */
export interface ConnectionDef {
  tls?: TlsDef | undefined;
  connection_timeout?: number | undefined;
  read_timeout?: number | undefined;
  proxy?: string | undefined;
}
