import { z } from 'zod';
import { accountRequestSchema, basicAuth, connectionShape, headerName } from '../../request/schema.ts';
import { accountSchemas } from '../shared/account-schema.ts';

/**
 * Webhook action params (Signals' shape): the shared request definition, whose `url` may be
 * left to the webhook account, and the connection options beside it.
 */
export const webhookParams = z.strictObject({
  request: accountRequestSchema,
  ...connectionShape,
});

export type WebhookParams = z.infer<typeof webhookParams>;

/**
 * Webhook account: a base URL, headers whose values are secret, and sealed credentials. The
 * secrets go only to the origin of `url`, through `proxy` when the account names one, with the
 * account's `tls` trust settings: an action using the account may add a path and query, not change
 * where the secrets go (see `shared/account-destination.ts`).
 */
export const webhookAccount = accountSchemas(
  z.strictObject({
    url: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * The method a channel message (the `notification` action) is sent with; default POST. A webhook
     * action sets its own in `request.method`.
     */
    method: z.enum(['POST', 'PUT', 'PATCH']).optional(),
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
  }),
  z.strictObject({
    /** Every header value is secret (the names stay readable). */
    headers: z.record(headerName, z.string()).optional(),
    auth: z.discriminatedUnion('type', [basicAuth, z.strictObject({ type: z.literal('bearer'), token: z.string().min(1) })]).optional(),
  }),
);

export type WebhookAccount = z.infer<typeof webhookAccount.schema>;
