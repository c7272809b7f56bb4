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

/**
 * The id of a stored proxy or trust store (`proxy: "<id>"`, `tls.truststore_id`), as the registries
 * store them: letters, digits, `_`, `-`, `.` and `:` (Signals' documentation names a proxy
 * `127.0.0.1:9199`), not starting with `.` or `-`, at most 128 characters.
 */
export const STORED_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/;
const STORED_ID_RULE = 'letters, digits, _ - . : (not first), at most 128 characters';

/**
 * `tls.client_session_timeout`: how long a TLS session may be resumed after the full handshake that
 * established it (the certificate checks run only in a full handshake). Seconds, as in Signals, or a
 * duration; `0` means no limit. Parsed to milliseconds.
 */
export const sessionTimeoutSchema = z.union([z.number().min(0), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return Math.round(v * 1000);
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

/**
 * The `tls` objects and stored proxies this schema produced: how a walk over a parsed watch finds the
 * references (storedRefsIn) without mistaking a look-alike inside free-form data (a static check's
 * value) for one.
 */
const PARSED = new WeakSet<object>();

export const tlsSchema = z
  .strictObject({
    trusted_certs: trustedCerts.optional(),
    /** A trust store kept in the trust store registry (`/_signals/truststores`), instead of `trusted_certs`. */
    truststore_id: z.string().regex(STORED_ID, `a trust store id: ${STORED_ID_RULE}`).optional(),
    client_session_timeout: sessionTimeoutSchema.optional(),
    verify_hostnames: z.boolean().optional(),
    trust_all: z.boolean().optional(),
    /** A client certificate for servers that ask for one (PEM), as in Signals' `tls.client_auth`. */
    client_auth: z.strictObject({ certs: z.string(), private_key: z.string(), private_key_password: z.string().optional() }).optional(),
  })
  .superRefine((t, ctx) => {
    // As in Signals: one source of trusted certificates.
    if (t.trusted_certs !== undefined && t.truststore_id !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['truststore_id'], message: 'use either trusted_certs or truststore_id, not both' });
    }
  })
  .transform((t) => {
    PARSED.add(t);
    return t;
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

/** A proxy kept in the proxy registry (`/_signals/proxies`), named by its id; resolved when a request is sent. */
export interface StoredProxy {
  readonly id: string;
}

/**
 * Signals' `proxy`: an `http://`/`https://` URL; `default` or `none`, which both mean a direct
 * connection (Vigil has no global proxy setting); or, as Signals reads any other value, the id of a
 * stored proxy. Whether that proxy exists is checked when the watch is loaded on a node.
 */
export const proxySetting = z.string().transform((value, ctx): string | StoredProxy | undefined => {
  const v = value.trim();
  if (v === '' || /^(default|none)$/i.test(v)) return undefined;
  if (/^https?:/i.test(v)) {
    try {
      if (!/^https?:\/\//i.test(v)) throw new Error('no authority');
      new URL(v);
      return v;
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a valid proxy URL: ${JSON.stringify(value)}` });
      return z.NEVER;
    }
  }
  if (!STORED_ID.test(v)) {
    ctx.addIssue({ code: 'custom', message: `proxy ${JSON.stringify(value)} is neither an http(s) URL, 'default' or 'none', nor a stored proxy id (${STORED_ID_RULE})` });
    return z.NEVER;
  }
  const ref: StoredProxy = { id: v };
  PARSED.add(ref);
  return ref;
});

/** One use of a stored proxy or trust store in a parsed definition, with the path of its field. */
export interface StoredRefUse {
  kind: 'proxy' | 'truststore';
  id: string;
  path: Array<string | number>;
}

/** Every stored proxy and trust store a parsed definition (a watch, a check, an action) refers to. */
export function storedRefsIn(node: unknown, path: Array<string | number> = [], out: StoredRefUse[] = []): StoredRefUse[] {
  if (node === null || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    node.forEach((v, i) => storedRefsIn(v, [...path, i], out));
    return out;
  }
  for (const [k, v] of Object.entries(node)) {
    if (v !== null && typeof v === 'object' && PARSED.has(v)) {
      if (k === 'proxy' && 'id' in v) out.push({ kind: 'proxy', id: (v as StoredProxy).id, path: [...path, k] });
      const store = (v as TlsDef).truststore_id;
      if (k === 'tls' && store !== undefined) out.push({ kind: 'truststore', id: store, path: [...path, k, 'truststore_id'] });
    } else storedRefsIn(v, [...path, k], out);
  }
  return out;
}

/** The connection options that sit beside `request` (spread into the check, action or attachment object). */
export const connectionShape = {
  tls: tlsSchema.optional(),
  connection_timeout: timeoutSchema.optional(),
  read_timeout: timeoutSchema.optional(),
  proxy: proxySetting.optional(),
};

/**
 * The connection options after parsing: timeouts in milliseconds, proxy a URL, a stored proxy, or
 * `undefined` for a direct connection.
 */
export interface ConnectionDef {
  tls?: TlsDef | undefined;
  connection_timeout?: number | undefined;
  read_timeout?: number | undefined;
  proxy?: string | StoredProxy | undefined;
}
