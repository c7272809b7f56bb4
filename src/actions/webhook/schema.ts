import { z } from 'zod';
import { parseDuration } from '../../schedule/duration.ts';
import { proxySetting, trustedCerts } from '../../checks/http-request.ts';

/** RFC 7230 token: a header name that cannot smuggle a separator. */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'invalid header name');

/** Signals gives timeouts in seconds; Vigil also takes durations (`10s`, `1m`). Result: milliseconds. */
const timeout = z
  .union([z.number().positive(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'number') return Math.round(v * 1000);
    try {
      return parseDuration(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

const basicAuth = z.strictObject({ type: z.literal('basic'), username: z.string(), password: z.string() });

/** Webhook action params (Signals' shape). url, path, query values, headers and body are templates. */
export const webhookParams = z
  .strictObject({
    request: z
      .strictObject({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('POST'),
        /** Absent: the account's `url`. */
        url: z.string().optional(),
        /** Appended to the URL (or the account URL). */
        path: z.string().optional(),
        query_params: z.record(z.string(), z.string()).optional(),
        body: z.string().optional(),
        /** A dotted path in the view (e.g. `data.hits`) whose value is sent as the JSON body. */
        json_body_from: z.string().optional(),
        headers: z.record(headerName, z.string()).optional(),
        /** Signals' inline credentials; a webhook account's `auth` keeps them sealed instead. */
        auth: basicAuth.optional(),
      })
      .superRefine((r, ctx) => {
        if (r.body !== undefined && r.json_body_from !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['json_body_from'], message: 'use either body or json_body_from, not both' });
        }
      }),
    tls: z
      .strictObject({
        trusted_certs: trustedCerts.optional(),
        verify_hostnames: z.boolean().optional(),
        trust_all: z.boolean().optional(),
        client_auth: z.strictObject({ certs: z.string(), private_key: z.string(), private_key_password: z.string().optional() }).optional(),
      })
      .optional(),
    connection_timeout: timeout.optional(),
    read_timeout: timeout.optional(),
    /** Proxy URL for this request (or `default`/`none`: a direct connection). */
    proxy: proxySetting.optional(),
  });

export type WebhookParams = z.infer<typeof webhookParams>;

/**
 * Webhook account: a base URL, headers whose values are secret, and sealed credentials. The
 * secrets go only to the origin of `url`, through `proxy` when the account names one, with the
 * account's `tls` trust settings: an action using the account may add a path and query, not change
 * where the secrets go (see `shared/account-destination.ts`).
 */
export const webhookAccount = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).optional(),
  headers: z.record(headerName, z.string()).optional(),
  auth: z
    .discriminatedUnion('type', [basicAuth, z.strictObject({ type: z.literal('bearer'), token: z.string().min(1) })])
    .optional(),
  /** The proxy for requests made with this account. Stored in clear, so it may not carry credentials. */
  proxy: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !/^[^:]+:\/\/[^/?#]*@/.test(u), 'a proxy URL with credentials is not supported here (the account file keeps it in clear)')
    .optional(),
  /** Certificate trust for requests made with this account (an internal CA, or relaxed checks). */
  tls: z
    .strictObject({
      trusted_certs: z.string().min(1).optional(),
      verify_hostnames: z.boolean().optional(),
      trust_all: z.boolean().optional(),
    })
    .optional(),
});

export type WebhookAccount = z.infer<typeof webhookAccount>;
