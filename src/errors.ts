/**
 * The one error catalogue. Every error that leaves Vigil (API response, watch log, CLI output) carries
 * one of these stable codes, and a failed send one of DeliveryFailureCode's; tests assert on codes,
 * never on message wording. Every code here is raised somewhere and asserted by a test
 * (test/errors-catalogue.test.ts holds both).
 */
export const ErrorCodes = {
  INVALID_WATCH: 400,
  INVALID_ID: 400,
  INVALID_REQUEST: 400,
  INVALID_HEADER_VALUE: 400,
  TEMPLATE_COMPILE_ERROR: 400,
  UNAUTHORIZED: 401,
  MISSING_PRIVILEGES: 403,
  /** A watch's search or write names an index the roles it runs as do not allow (cluster, index, action and roles named). */
  INDEX_FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** An account file exists but cannot be used (unreadable, not JSON): PUT it again or DELETE it. */
  ACCOUNT_UNUSABLE: 409,
  /** The account is switched off (`enabled: false`): nothing is sent with it, tests included. */
  ACCOUNT_DISABLED: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  EXECUTION_FAILED: 422,
  TOO_MANY_REQUESTS: 429,
  SCRIPT_ERROR: 500,
  SCRIPT_BUDGET_EXCEEDED: 500,
  TEMPLATE_BUDGET_EXCEEDED: 500,
  HTTP_INPUT_FAILED: 502,
  /** A test message was not delivered (the Notifications API's test): the destination refused it or could not be reached. */
  DELIVERY_FAILED: 502,
  /** The operator switched this action type off (`egress.disabled_action_types`). */
  ACTION_TYPE_DISABLED: 403,
  ACCOUNT_NOT_FOUND: 404,
  ACCOUNT_DECRYPT_FAILED: 500,
  STATE_LOCKED: 500,
  CONFIG_INVALID: 500,
  LISTEN_FAILED: 500,
  ACCOUNTS_UNAVAILABLE: 503,
  INTERNAL: 500,
  /** A part of a compatible API that has no meaning for Vigil; the message says why. */
  NOT_IMPLEMENTED: 501,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/**
 * The fixed delivery failure codes. Besides these, DeliveryFailureCode admits `HTTP_<status>` (the
 * cluster's own status for the index action), `SMTP_<code>` (nodemailer's code less its `E`) and any
 * catalogue code (an invalid request, an account not found or not decryptable…).
 */
export const DELIVERY_FAILURE_CODES = [
  // The service answered with this status class (redirects are never followed), or this status (408 and 429, retried).
  'HTTP_1XX',
  'HTTP_3XX',
  'HTTP_408',
  'HTTP_429',
  'HTTP_4XX',
  'HTTP_5XX',
  // The exchange ended before an answer, or never started: the egress policy refused the destination.
  'EGRESS_DENIED',
  'TIMEOUT',
  'CONNECT_FAILED',
  'NETWORK',
  'TLS',
  'ABORTED',
  // A request the HTTP client refused to send, or an error that is a bug (never retried).
  'UNEXPECTED',
  // SMTP: the reply class, a refused login or TLS, a local refusal, an unreachable server or proxy.
  'SMTP_4YZ',
  'SMTP_5YZ',
  'SMTP_AUTH',
  'SMTP_TLS',
  'SMTP_ENVELOPE',
  'SMTP_MESSAGE',
  'SMTP_CONFIG',
  'SMTP_CONNECTION',
  'SMTP_PROXY',
  'SMTP_PROXY_UNREACHABLE',
  'SMTP_ERROR',
  // The service answered, but not as its protocol says it should.
  'UNEXPECTED_RESPONSE',
  // The service asked for fewer requests (AWS `Throttling` and its kin, whatever the HTTP status); retried.
  'THROTTLED',
  // The service or its token endpoint refused the account's credentials (not retried).
  'AUTH_FAILED',
  // Temporary credentials expired; new ones are fetched for the next attempt (retried).
  'CREDENTIALS_EXPIRED',
  'SLACK_REJECTED',
  'JIRA_ISSUE_TYPE_NOT_FOUND',
  'JIRA_TRANSITION_NOT_FOUND',
  'INDEX_FAILED',
  'CLUSTER_ERROR',
  'BULK_ITEM_FAILED',
  'ATTACHMENT_FETCH_FAILED',
  'ATTACHMENT_TOO_LARGE',
  // A request that would take an account's secrets somewhere the account does not name.
  'ACCOUNT_DESTINATION_DENIED',
  // The account could not be loaded for a reason that carries no catalogue code.
  'ACCOUNT_ERROR',
  // The deliverer gave up: the retry deadline passed, or the entry's type is not available here.
  'DEADLINE_EXCEEDED',
  'UNKNOWN_ACTION_TYPE',
  // An operator discarded the delivery (the deliveries API) before it succeeded.
  'CANCELLED',
] as const;

/**
 * Why a send failed: the `code` of a failed DeliveryResult and of a delivery outcome, kept in the outbox
 * and shown in the watch log. Whether another attempt can help is the result's `retry`, not the code.
 */
export type DeliveryFailureCode = (typeof DELIVERY_FAILURE_CODES)[number] | `HTTP_${number}` | `SMTP_${string}` | ErrorCode;

/** Field-path keyed problems, the Signals `detail` shape: `{"checks[1].source": [{error, value}]}`. */
export type ErrorDetail = Record<string, Array<{ error: string; value?: unknown }>>;

/** An error with a stable code. `message` must never contain a secret: callers pass redacted text. */
export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: ErrorDetail | undefined;

  constructor(code: ErrorCode, message: string, detail?: ErrorDetail, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
    this.status = ErrorCodes[code];
    this.detail = detail;
  }

  /** The API's error response body. */
  toJSON(): { status: number; error: string; code: ErrorCode; detail?: ErrorDetail } {
    return { status: this.status, error: this.message, code: this.code, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

