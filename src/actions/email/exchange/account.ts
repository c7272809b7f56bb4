/**
 * The `exchange` account: an e-mail sender through Microsoft Graph (`POST /users/{from}/sendMail`),
 * authenticated with an app registration's client credentials (OAuth 2.0). Sovereign clouds set both
 * `authority_url` (the identity platform) and `graph_url` (Graph; the token's scope follows it).
 */
import { z } from 'zod';
import { accountSchemas } from '../../shared/account-schema.ts';
import { endpointField } from '../../shared/aws-account.ts';
import { checkAddressField, senderDefaultsRules, senderDefaultsShape } from '../defaults.ts';

export const EXCHANGE = 'exchange';
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH = 'https://graph.microsoft.com';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const exchangeAccount = accountSchemas(
  z.strictObject({
    /** The directory (tenant) id, or one of its verified domain names. */
    tenant_id: z.string().refine((t) => GUID.test(t) || DOMAIN.test(t), 'must be a tenant id (a GUID) or a verified domain name'),
    /** The app registration's application (client) id. */
    client_id: z.string().regex(GUID, 'must be an application (client) id, a GUID'),
    /** The mailbox the mail is sent from (its user principal name or address). */
    from: z.string().min(1),
    authority_url: endpointField.optional(),
    graph_url: endpointField.optional(),
    /** Keep a copy in the mailbox's Sent Items (Graph's default: true). */
    save_to_sent_items: z.boolean().optional(),
    ...senderDefaultsShape,
  }),
  z.strictObject({ client_secret: z.string().min(1) }),
  (a, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    checkAddressField(a.from, a.domain_allowlist, (m) => issue('from', m), { single: true });
    senderDefaultsRules(a, issue);
  },
);

export type ExchangeAccount = z.infer<typeof exchangeAccount.schema>;

const base = (url: string) => url.replace(/\/+$/, '');
export const authorityOf = (a: ExchangeAccount): string => base(a.authority_url ?? DEFAULT_AUTHORITY);
export const graphOf = (a: ExchangeAccount): string => base(a.graph_url ?? DEFAULT_GRAPH);
