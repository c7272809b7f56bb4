import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { DeliveryFailureCode } from '../errors.ts';
import type { CompileEnv, IndexAccess, NodeRefs, Problem } from '../checks/types.ts';
import type { SearchClient } from '../cluster/types.ts';
import type { HttpClient, HttpRequest } from '../net/types.ts';
import type { HostCheck } from '../net/host-check.ts';
import type { AwsCredentials } from '../net/aws/sigv4.ts';
import type { AccountSchemas } from './shared/account-schema.ts';

/**
 * The fields every action has, added to each type's params by the watch schema. A type's
 * params may not use these names: the registry refuses a type whose params would shadow one.
 */
export const COMMON_ACTION_FIELDS = [
  'type',
  'name',
  'account',
  'checks',
  'foreach',
  'foreach_lang',
  'foreach_limit',
  'ack_enabled',
  'throttle_period',
  'severity',
  'resolves_severity',
] as const;

/**
 * The fields every account has, whatever its type, kept by the accounts registry beside the type's own
 * fields: `name` and `description` (what people call the account and why it exists; the Notifications
 * API's names for them) and `enabled` (`false`: nothing is sent with the account, deliveries and tests
 * fail with ACCOUNT_DISABLED, while watches naming it still load). An account type may not declare them.
 */
export const COMMON_ACCOUNT_FIELDS = ['name', 'description', 'enabled'] as const;

/**
 * One action type = one folder exporting one `ActionType` manifest, listed once in `src/actions/index.ts`;
 * the registry (`src/registry/`) checks every manifest when it is built. Three kinds of data stay apart:
 * - **params**: the action's fields in the watch; templates render these only;
 * - **account config**: non-secret account fields (host, port, default_from…);
 * - **account secrets**: they reach `deliver` only, decrypted just in time, and never a template, a log
 *   line, an error or the outbox.
 */
export interface ActionType<Params = any, Account = any> {
  readonly type: string;
  /**
   * Strict zod object of the type-specific fields only; the common fields (`COMMON_ACTION_FIELDS`) are
   * added by the watch schema.
   */
  readonly params: z.ZodObject<any>;
  /** Present when the type uses accounts (`accounts/<type>/<id>.json`). */
  readonly account?: AccountManifest<Account>;
  /**
   * Load time: compile every template in the params once. Throws VigilError(INVALID_WATCH) with field
   * paths relative to the action for problems the schema cannot see.
   */
  compile(params: Params, env: CompileEnv): CompiledAction;
  /**
   * Load time (start, file change, PUT), with the decrypted account the action uses and its type (the
   * action type's own when undefined, or a linked sender type): cross-checks of params against the account (where its
   * secrets may go, the email domain allowlist…). Returns problems with paths relative to the action;
   * messages never quote a secret.
   */
  checkAccount?(params: Params, account: Account, accountType?: string): Problem[];
  /** Load time: what the params name on this node (a cluster) exists. Paths relative to the action. */
  checkReferences?(params: Params, node: NodeRefs): Problem[];
  /**
   * Sends one rendered notification. Must not throw for remote failures: it returns a DeliveryResult that
   * says whether a retry can help. Throwing is reserved for programming errors.
   */
  deliver(n: RenderedNotification, deps: DeliverDeps<Account>): Promise<DeliveryResult>;
  /** Releases what the type holds across deliveries (pooled connections); called once, at shutdown. */
  close?(): Promise<void>;
  /**
   * Present when an account of this type can be a **channel**: the target of a `notification` action,
   * named by its id alone (as a Notifications plugin config is), which renders one subject and message
   * and lets the channel's type put them in its own form. Requires `account`.
   */
  readonly channel?: ChannelFormat<Account>;
  /**
   * For an action that sends through a channel its params name, instead of through an account of its
   * own type (the `notification` action): the channel id. The watch compiler records it, so the
   * load-time checks find the channel and a DELETE of it is refused while a watch uses it.
   */
  channelOf?(params: Params): string;
  /** What the shared conformance suite needs to exercise this type (test/kit/action-conformance.ts). */
  readonly conformance: ActionConformance;
  /**
   * Account types this action type owns besides its own (stored under `accounts/<type>/`, managed by the
   * same REST API): other ways to send (the e-mail action's `ses` and `exchange` accounts) and data it
   * reads by name when it sends (e-mail recipient groups). See {@link LinkedAccountType}.
   */
  readonly linkedAccounts?: readonly LinkedAccountType[];
  /**
   * Accounts other than `account` that an action or its account names (e-mail recipient groups in
   * `to`, or in an account's `default_to`). They are checked to exist when a watch loads; those named by
   * the params also keep the account from being deleted while the watch uses it.
   */
  readonly references?: {
    /** What the params name; `field` is the path of the naming field, relative to the action. */
    params?(params: Params): AccountLink[];
    /** What the account the action uses names (`accountType` is that account's type); `field` is the account's field. */
    account?(accountType: string, account: unknown): AccountLink[];
  };
}

/** One account named by an action besides its `account` (see `ActionType.references`). */
export interface AccountLink {
  readonly type: string;
  readonly id: string;
  /** Where it is named: a field of the params (`to[1]`) or of the account (`default_to[0]`). */
  readonly field: string;
}

/**
 * An account type that belongs to an action type without being the action type's own:
 * - `sender`: another way for the action to send (e-mail through SES or Microsoft Graph instead of
 *   SMTP). An action names one as `"account": "<type>:<id>"`; `deliver` gets it with
 *   `deps.accountType` set to this type. Its destination and `_test` work as an own account's do.
 * - `lookup`: data the action reads by name at send time (`deps.lookupAccount`), such as an e-mail
 *   recipient group. It holds no secret (the registry refuses one that declares any), since what it
 *   holds may be shown in summaries and results.
 */
export interface LinkedAccountType<Account = any> extends AccountSchemas<Account> {
  /** The account type's name: `accounts/<type>/`, the REST API's `{type}`. */
  readonly type: string;
  readonly role: 'sender' | 'lookup';
  /** As `AccountManifest.destination`. */
  readonly destination: (account: Account) => AccountDestination | null;
  /** As `AccountManifest.test`. */
  readonly test?: AccountTest<Account>;
  /** Fixtures for the shared conformance suite, as `ActionConformance.account` and `overHttp`. */
  readonly conformance: {
    example(base: string): unknown;
    readonly secrets: readonly string[];
    /** A sender that delivers over the HTTP client to `base` with the example account. */
    readonly overHttp: boolean;
  };
}

/** What a channel action hands a channel's type: one message, rendered, in plain text. */
export interface ChannelMessage {
  /** One line (may be empty); the title, heading or e-mail subject. */
  subject: string;
  /** The body, plain text or light markdown (each type escapes it for its medium). */
  message: string;
  /** The severity level id (`info`, `warning`, `error`, `critical`), or undefined when the watch has none. */
  severity?: string | undefined;
}

/** How a channel's type puts a channel message in its own form. */
export interface ChannelFormat<Account> {
  /**
   * Pure: the notification this type's `deliver` sends for `msg` through `account` (the decrypted
   * account, type fields only). Like `render`, the result carries no secret: `deliver` joins them.
   * Throws VigilError for an account that cannot carry a channel message (a webhook account without a
   * url, an SNS account without a topic), which fails the delivery for good.
   */
  format(msg: ChannelMessage, account: Account): RenderedNotification;
}

/** The account part of an action type: its schemas (config and secrets apart) and its rules. */
export interface AccountManifest<Account> extends AccountSchemas<Account> {
  /**
   * True when an action of this type cannot run without an account. For such types an action that
   * names no `account` uses the account named `default` (as Signals does).
   */
  readonly required: boolean;
  /**
   * Where this account's secrets may be sent over the HTTP client: the origins of the account's own
   * URLs, and the proxy and TLS trust the account itself configures. Every HTTP request made while
   * the account is attached is held to it (see `actions/shared/account-destination.ts`). `null` for a
   * type that never sends the account's secrets through the HTTP client (email: they go only to the
   * SMTP server and proxy the account names).
   */
  readonly destination: (account: Account) => AccountDestination | null;
  /** `POST /_signals/account/{type}/{id}/_test`: sends a test message through the real send path. */
  readonly test?: AccountTest<Account>;
}

/** The certificate-trust part of TLS options: what an account may relax and an action may not. */
export type TrustOptions = Pick<NonNullable<HttpRequest['tls']>, 'trusted_certs' | 'verify_hostnames' | 'trust_all'>;

/** Where one account's secrets may be sent (the rule: `actions/shared/account-destination.ts`). */
export interface AccountDestination {
  /** Origins as `URL.origin` gives them (`https://hooks.example.com`, default port omitted). */
  readonly origins: readonly string[];
  /** The proxy URL the account configures; requests through any other proxy are refused. */
  readonly proxy?: string | undefined;
  /** The account's own trust settings; a request may not trust more than these. */
  readonly tls?: TrustOptions | undefined;
}

/**
 * Conformance fixtures. `base` is the URL of the suite's HTTP receiver (`http://127.0.0.1:PORT`), for
 * the types whose params or account hold the URL they send to.
 */
export interface ActionConformance {
  /** Minimal valid params. */
  params(base: string): Record<string, unknown>;
  /** For types with an account: a valid account holding every secret field, and those secrets as they could leak. */
  readonly account?: {
    example(base: string): unknown;
    /** The secret values of `example`, raw and in the encodings a request carries them in (base64 of `user:pass`). */
    readonly secrets: readonly string[];
  };
  /**
   * The type delivers over the HTTP client to `base` (with the example account when it has one): the
   * suite then checks its retry classification and that no secret leaks into what it renders, returns
   * or logs.
   */
  readonly overHttp: boolean;
}

/** What an action's params compiled into. */
export interface CompiledAction {
  /** Renders the notification for one firing (or one `foreach` item). Throws VigilError on bad values (header injection). */
  render(view: TemplateView, info: RenderInfo): RenderedNotification;
  /**
   * Renders what to send when the action's situation ends (PagerDuty `resolve`, Jira transition), or null
   * when this action type has nothing to send then.
   */
  renderResolve?(view: TemplateView, info: RenderInfo): RenderedNotification | null;
  /** Renders what to send when the watch or action is acked in Vigil (PagerDuty `acknowledge`), or null. */
  renderAck?(view: TemplateView, info: RenderInfo): RenderedNotification | null;
}

/** The Mustache view: the script context plus links. Plain JSON. */
export type { TemplateView } from '../templates/view.ts';
import type { TemplateView } from '../templates/view.ts';

export interface RenderInfo {
  /** Stable per (tenant, watch, action, episode, scheduled time): identical across retries and restarts. */
  idempotencyKey: string;
  /** Stable per (tenant, watch, action, episode): PagerDuty dedup_key, Jira label. */
  episodeKey: string;
  tenant: string;
  watchId: string;
  actionName: string;
  /** The watch's current severity level id (`none|info|warning|error|critical`). */
  severityLevel: string;
  /** Template variables that rendered empty. */
  reportMissing(paths: string[]): void;
  /** What the watch may write (the roles it runs as): a type that writes to a cluster asks before it plans the write. */
  access: IndexAccess;
}

/**
 * A rendered, JSON-serialisable notification: what goes into the durable outbox and what `--simulate`
 * prints. It never contains account secrets; those are joined in `deliver`.
 */
export interface RenderedNotification {
  kind: 'fire' | 'resolve' | 'ack';
  /** The request as this type will send it, minus secrets (type-specific shape). */
  request: unknown;
  /** One line for logs and the watch log (no secrets). */
  summary: string;
  /** Per-destination bulkhead key (e.g. the webhook origin, the SMTP account); default the action type. */
  destination?: string;
}

export interface DeliverDeps<Account> {
  /** The decrypted account (config and secrets), loaded just in time; undefined when none is referenced. */
  account: Account | undefined;
  accountId: string | undefined;
  /**
   * The type of `account`: the action type's own, one of its linked sender types (`ses` for an e-mail
   * action), or the type a send opened it among by id (a channel, an e-mail channel's sender).
   * Undefined means the action type's own.
   */
  accountType?: string | undefined;
  /**
   * Reads an account of one of the action type's linked `lookup` types (an e-mail recipient group) by id,
   * at send time, so an edit reaches every watch that names it. Rejects with VigilError
   * ACCOUNT_NOT_FOUND; absent where nothing can be looked up.
   */
  lookupAccount?: (type: string, id: string) => Promise<unknown>;
  idempotencyKey: string;
  episodeKey: string;
  /** The HTTP client, held to the account's destination while an account is attached. */
  http: HttpClient;
  /**
   * The same client not held to the account's destination, for requests that carry nothing of the
   * account (e-mail `request` attachments sent through an SES or Exchange account). Absent: use `http`.
   */
  plainHttp?: HttpClient;
  searchClient(cluster: string): SearchClient;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** 1 on the first attempt. */
  attempt: number;
  /**
   * The egress policy for connections made outside `http` (SMTP and its SOCKS proxy): rejects with
   * HttpError('egress_denied') when host:port (or an address it resolves to) is not allowed. Required,
   * so that no send path (delivery or account test) can leave it out.
   */
  egress: HostCheck;
  /**
   * The accounts this send goes through besides the action's own (the channel of a `notification`
   * action, the sender and groups of an e-mail channel), each opened with the HTTP client pinned to its
   * own destination. Absent where no account registry is available: a type that needs it fails the
   * send, saying so.
   */
  channels?: ChannelAccounts;
  /**
   * The daemon's own AWS credentials, read from its environment once at start: what an AWS account
   * (SNS, SES) without keys of its own signs with. Absent when the environment has none.
   */
  daemonAwsCredentials?: AwsCredentials | undefined;
}

/** An account opened for one send: its type, its value and the HTTP client held to its destination. */
export interface OpenedAccount {
  /** The account type (`accounts/<type>/`). */
  accountType: string;
  /** The action type that owns the account type (enabled on this node): its `deliver` sends with it. */
  owner: ActionType;
  id: string;
  /** Decrypted and schema-checked, type fields only. */
  account: unknown;
  /** The HTTP client pinned to this account's destination. */
  http: HttpClient;
  /**
   * `DeliverDeps.lookupAccount` for a send with this account: its owner's linked lookup accounts (the
   * recipient groups an e-mail account's `default_to` names), for the same tenant.
   */
  lookupAccount: (type: string, id: string) => Promise<unknown>;
}

/**
 * Opens accounts other than the action's own, by id. Each method throws VigilError: ACCOUNT_NOT_FOUND,
 * CONFLICT (the id is held by several of the types), ACTION_TYPE_DISABLED, ACCOUNT_DISABLED,
 * ACCOUNT_DECRYPT_FAILED, ACCOUNT_UNUSABLE.
 */
export interface ChannelAccounts {
  /** The channel `id`: the one account of that id among the types with a `channel` format. */
  channel(id: string): Promise<OpenedAccount>;
  /** The account `id` of one of `types`; types this node does not have are ignored. */
  account(types: readonly string[], id: string): Promise<OpenedAccount>;
}

/** What an account test gets: the I/O seams of a delivery, without a watch or an episode. */
export type TestAccountDeps = Pick<DeliverDeps<unknown>, 'http' | 'clock' | 'logger' | 'signal' | 'egress' | 'lookupAccount' | 'channels' | 'daemonAwsCredentials'> & {
  /**
   * For the test of a `lookup` account (a recipient group), which sends through a sender: an account of
   * the owning action type by reference (`id`, or `<type>:<id>`), with the HTTP client pinned to its
   * destination. Rejects with VigilError ACCOUNT_NOT_FOUND or INVALID_REQUEST.
   */
  sender?: (ref: string) => Promise<{ accountType: string; account: unknown; http: HttpClient }>;
};

/** An account test's outcome: a delivery result, plus the steps it went through when there are several. */
export type TestAccountResult = DeliveryResult & { steps?: string[] };

/** The `_test` endpoint of one account type. */
export interface AccountTest<Account> {
  /** Strict zod schema of the request body (the test's options). */
  readonly body: z.ZodType;
  run(account: Account, body: any, deps: TestAccountDeps): Promise<TestAccountResult>;
}

export type DeliveryResult =
  | { ok: true; detail?: string; response?: unknown }
  | {
      ok: false;
      /** Whether another attempt can help (network errors, timeouts, 5xx, 408, 429, SMTP 4yz). */
      retry: boolean;
      /** Server-requested delay (Retry-After), in ms. */
      retryAfterMs?: number;
      /** Stable failure code, e.g. HTTP_5XX, HTTP_4XX, SMTP_5YZ, TIMEOUT, EGRESS_DENIED. */
      code: DeliveryFailureCode;
      /** Human-readable, redacted (no secrets, no secret URLs). */
      message: string;
    };
