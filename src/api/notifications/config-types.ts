/**
 * The Notifications plugin's config types, each mapped onto one Vigil account type: the shape of its
 * sub-object (`config.slack`, `config.smtp_account`…) as a write accepts it, and the conversions both
 * ways. A config type whose account type this node has not registered is refused with a clear 400; when
 * the type is registered (a channel type added later), its row here lights up without other changes.
 *
 * Conversions are plain field mappings. `toAccount` gives the account fields the config type sets
 * (`owned`); an update keeps the account's other fields (those only the Signals accounts API sets, such
 * as an SMTP account's `domain_allowlist`). `fromAccount` reads the account's public view, where a
 * secret is its status object (`{set, kid, updated_at}`): the caller moves those out of the config.
 */
import { z } from 'zod';
import { endpointOf, type EmailAccount } from '../../actions/email/account.ts';
import { isObject, type Doc } from '../../accounts/store.ts';

export interface ConfigTypeMapping {
  /** The plugin's `config_type`, also the key of its sub-object. */
  readonly configType: string;
  /** The Vigil account type that stores it. */
  readonly accountType: string;
  /** Strict schema of the sub-object in a POST or PUT. */
  readonly schema: z.ZodType;
  /** The account fields this config type sets; an update keeps the others. */
  readonly owned: readonly string[];
  toAccount(sub: any): Doc;
  fromAccount(account: Doc): Doc;
  /** Account field → sub-object field, to report an account problem where the request wrote it. */
  readonly paths: Readonly<Record<string, string>>;
}

/** Drops undefined values, so an absent field stays absent. */
function defined(o: Doc): Doc {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const recipients = z.array(z.strictObject({ recipient: z.string().min(1) }));

/** A config whose only field is the URL the channel type posts to (a secret in those types). */
function urlOnly(configType: string, accountType: string): ConfigTypeMapping {
  return {
    configType,
    accountType,
    // Optional: a PUT that leaves out a sealed url keeps it (the API never returns it to send back).
    schema: z.strictObject({ url: z.string().optional() }),
    owned: ['url'],
    toAccount: (s: { url?: string }) => defined({ url: s.url }),
    fromAccount: (a) => defined({ url: a.url }),
    paths: { url: 'url' },
  };
}

/** `arn:aws[-partition]:sns:REGION:ACCOUNT:NAME`, the plugin's own rule. */
const SNS_ARN = /^arn:aws(-[^:]+)?:sns:([a-zA-Z0-9-]+):([0-9]{12}):([a-zA-Z_0-9+=,.@\-_/]+)$/;
const IAM_ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12}):role\/.+$/;

const SMTP_METHODS = ['none', 'ssl', 'start_tls'] as const;

export const CONFIG_TYPES: readonly ConfigTypeMapping[] = [
  urlOnly('slack', 'slack'),
  urlOnly('chime', 'chime'),
  urlOnly('microsoft_teams', 'teams'),
  {
    configType: 'webhook',
    accountType: 'webhook',
    schema: z.strictObject({
      url: z.string(),
      // Values are sealed; one left out is kept, `null` removes it.
      header_params: z.record(z.string(), z.string().nullable()).optional(),
      method: z.enum(['POST', 'PUT', 'PATCH']).optional(),
    }),
    owned: ['url', 'headers', 'method'],
    toAccount: (s: { url: string; header_params?: Record<string, string | null>; method?: string }) => defined({ url: s.url, headers: s.header_params, method: s.method }),
    fromAccount: (a) => defined({ url: a.url, header_params: isObject(a.headers) ? a.headers : {}, method: a.method ?? 'POST' }),
    paths: { url: 'url', headers: 'header_params', method: 'method' },
  },
  {
    configType: 'email',
    accountType: 'email_channel',
    schema: z.strictObject({
      email_account_id: z.string().min(1),
      recipient_list: recipients.optional(),
      email_group_id_list: z.array(z.string()).optional(),
    }),
    owned: ['email_account_id', 'recipient_list', 'email_group_id_list'],
    toAccount: (s: { email_account_id: string; recipient_list?: Array<{ recipient: string }>; email_group_id_list?: string[] }) =>
      defined({ email_account_id: s.email_account_id, recipient_list: s.recipient_list?.map((r) => r.recipient), email_group_id_list: s.email_group_id_list }),
    fromAccount: (a) => ({
      email_account_id: a.email_account_id,
      recipient_list: ((a.recipient_list as string[] | undefined) ?? []).map((recipient) => ({ recipient })),
      email_group_id_list: a.email_group_id_list ?? [],
    }),
    paths: { email_account_id: 'email_account_id', recipient_list: 'recipient_list', email_group_id_list: 'email_group_id_list' },
  },
  {
    configType: 'smtp_account',
    accountType: 'email',
    schema: z.strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      method: z.enum(SMTP_METHODS),
      from_address: z.string().min(1),
      // Vigil: the plugin keeps SMTP credentials in the OpenSearch keystore; here they are sealed fields.
      username: z.string().min(1).optional(),
      password: z.string().nullable().optional(),
    }),
    owned: ['host', 'port', 'enable_tls', 'enable_start_tls', 'default_from', 'user', 'password'],
    toAccount: (s: { host: string; port: number; method: (typeof SMTP_METHODS)[number]; from_address: string; username?: string; password?: string | null }) =>
      defined({
        host: s.host,
        port: s.port,
        enable_tls: s.method === 'ssl' ? true : undefined,
        enable_start_tls: s.method === 'start_tls' ? true : undefined,
        default_from: s.from_address,
        user: s.username,
        password: s.password,
      }),
    fromAccount: (a) => {
      // Accounts written through the Signals API may name a well-known service instead of host and port.
      const ep = endpointOf(a as unknown as EmailAccount);
      const from = Array.isArray(a.default_from) ? a.default_from[0] : a.default_from;
      return defined({ host: ep.host, port: ep.port, method: ep.tls === 'implicit' ? 'ssl' : ep.tls === 'starttls' ? 'start_tls' : 'none', from_address: from ?? '', username: a.user, password: a.password });
    },
    paths: { host: 'host', port: 'port', enable_tls: 'method', enable_start_tls: 'method', default_from: 'from_address', user: 'username', password: 'password' },
  },
  {
    configType: 'ses_account',
    accountType: 'ses',
    schema: z.strictObject({ region: z.string().min(1), role_arn: z.string().regex(IAM_ROLE_ARN, 'must be an IAM role ARN').optional(), from_address: z.string().min(1) }),
    owned: ['region', 'role_arn', 'from'],
    toAccount: (s: { region: string; role_arn?: string; from_address: string }) => defined({ region: s.region, role_arn: s.role_arn, from: s.from_address }),
    fromAccount: (a) => defined({ region: a.region, role_arn: a.role_arn, from_address: a.from }),
    paths: { region: 'region', role_arn: 'role_arn', from: 'from_address' },
  },
  {
    configType: 'sns',
    accountType: 'sns',
    schema: z.strictObject({ topic_arn: z.string().regex(SNS_ARN, 'must be an SNS topic ARN'), role_arn: z.string().regex(IAM_ROLE_ARN, 'must be an IAM role ARN').optional() }),
    owned: ['topic_arn', 'role_arn', 'region'],
    // The region is the topic's: SNS is called in the region of the topic it publishes to.
    toAccount: (s: { topic_arn: string; role_arn?: string }) => defined({ topic_arn: s.topic_arn, role_arn: s.role_arn, region: SNS_ARN.exec(s.topic_arn)![2] }),
    fromAccount: (a) => defined({ topic_arn: a.topic_arn, role_arn: a.role_arn }),
    paths: { topic_arn: 'topic_arn', role_arn: 'role_arn', region: 'topic_arn' },
  },
  {
    configType: 'email_group',
    accountType: 'email_group',
    schema: z.strictObject({ recipient_list: recipients }),
    owned: ['emails'],
    toAccount: (s: { recipient_list: Array<{ recipient: string }> }) => ({ emails: s.recipient_list.map((r) => r.recipient) }),
    fromAccount: (a) => ({ recipient_list: ((a.emails as string[] | undefined) ?? []).map((recipient) => ({ recipient })) }),
    paths: { emails: 'recipient_list' },
  },
];

/** Config types whose account holds a sender (an `email` config's `email_account_id` names one). */
export const SENDER_CONFIG_TYPES = ['smtp_account', 'ses_account'] as const;

export const byConfigType = new Map(CONFIG_TYPES.map((m) => [m.configType, m]));
export const byAccountType = new Map(CONFIG_TYPES.map((m) => [m.accountType, m]));
