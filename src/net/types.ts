/**
 * The outbound HTTP seam used by webhooks, HTTP checks and attachments, Slack, PagerDuty and Jira.
 * One implementation (undici) enforces timeouts, the response cap, no redirects and the egress policy;
 * tests inject their own or point it at 127.0.0.1 peers.
 */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Per-request TLS options. */
  tls?: {
    trusted_certs?: string;
    /** A stored trust store: replaced by its certificates (`trusted_certs`) before the request reaches the client. */
    truststore_id?: string;
    /** Milliseconds a TLS session may be resumed after the full handshake that made it; 0: no limit. */
    client_session_timeout?: number;
    verify_hostnames?: boolean;
    trust_all?: boolean;
    client_auth?: { certs: string; private_key: string; private_key_password?: string };
  };
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  totalTimeoutMs?: number;
  /** Response body cap; default 1 MiB. */
  maxResponseBytes?: number;
  /** Proxy URL (`http://user:pass@host:port` sends Proxy-Authorization). */
  proxy?: string;
  /** A stored proxy: replaced by its URL (`proxy`) before the request reaches the client. */
  proxyId?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the body was cut at the cap (the request itself was delivered). */
  truncated: boolean;
}

export interface HttpClient {
  /** Resolves for every HTTP status; rejects with HttpError for network errors, timeouts and egress denial. */
  request(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** `invalid_request`: the request itself is unusable (bad URL or scheme, bad header value); never retried. */
export type HttpErrorKind =
  | 'connect'
  | 'timeout'
  | 'network'
  | 'egress_denied'
  | 'redirect_not_followed'
  | 'aborted'
  | 'tls'
  | 'invalid_request';

export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  constructor(kind: HttpErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpError';
    this.kind = kind;
  }
}
